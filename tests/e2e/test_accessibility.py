"""Accessibility in the browser: the axe-core check itself, the confirmation
dialogs, a whole flow at the keyboard, and the Région's pages."""

import pytest

from tests.e2e.conftest import accessibility_violations
from tests.e2e.steps import log_in, message

COLLEAGUE = "NOM TEST COMPTE PRENOM TEST COMPTE"


def test_axe_check_names_serious_violations_and_where_they_are(open_browser, db):
    page = open_browser()
    page.goto("/connexion/")
    assert accessibility_violations(page.unwrapped) == []

    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<img src="/static/img/chevron.svg" id="sans-alternative"><input id="sans-etiquette">')"""
    )

    found = accessibility_violations(page.unwrapped)
    assert any(line.startswith("image-alt (critical)") and "#sans-alternative" in line for line in found), found
    assert any(line.startswith("label (critical)") and "#sans-etiquette" in line for line in found), found
    page.evaluate("() => document.querySelectorAll('#sans-alternative, #sans-etiquette').forEach(e => e.remove())")


def focused(page):
    """The name of the focused element and its outline, as the browser draws it."""
    return page.evaluate(
        r"""() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                name: (element.getAttribute("aria-label") || (element.labels && element.labels[0]?.innerText)
                       || element.innerText || element.value || "")
                    .replace(/\s+/g, " ").trim(),
                tag: element.tagName.toLowerCase(),
                inDialog: Boolean(element.closest("dialog[open]")),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
            };
        }"""
    )


def test_a_confirmation_dialog_keeps_the_focus_and_gives_it_back(
    open_browser, primary_account, secondary_account, password
):
    page = open_browser()
    log_in(page, primary_account.identifiant, password)
    page.goto("/organisme/comptes/")
    trigger = page.get_by_role("link", name=f"Supprimer {COLLEAGUE}")

    trigger.click()
    dialog = page.get_by_role("dialog", name="Supprimer le compte")
    dialog.wait_for()
    assert "Êtes-vous sûr de vouloir" in dialog.inner_text()
    open_browser.check_again(page)
    for _ in range(6):
        page.keyboard.press("Tab")
        assert focused(page)["inDialog"]
    for _ in range(6):
        page.keyboard.press("Shift+Tab")
        assert focused(page)["inDialog"]
    page.keyboard.press("Escape")
    assert dialog.count() == 0
    assert focused(page)["name"] == f"Supprimer {COLLEAGUE}"

    trigger.click()
    page.get_by_role("dialog").get_by_role("link", name="Annuler").click()
    assert page.get_by_role("dialog").count() == 0
    assert focused(page)["name"] == f"Supprimer {COLLEAGUE}"

    trigger.click()
    page.get_by_role("dialog").get_by_role("button", name="OK").click()
    assert message(page).startswith(f"Le compte secondaire de Madame {COLLEAGUE}")
    assert "Nombre de résultats : 0" in page.locator("main").inner_text()


def tab_to(page, name, backwards=False, limit=60):
    """Presses Tab (or Shift+Tab) until the element named `name` has the focus,
    checking on the way that every focused element shows a visible outline."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now["tag"] not in ("main", "body"):
            assert now["outline"], f"no visible focus on {now}"
        if now["name"].startswith(name):
            return
    raise AssertionError(f"{name!r} never got the focus")


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-javascript", "sans-javascript"])
def test_primary_account_creates_then_deactivates_a_colleague_with_the_keyboard_only(
    open_browser, primary_account, password, javascript
):
    page = open_browser(javascript=javascript)
    page.goto("/connexion/")
    assert focused(page)["name"] == "Identifiant *"  # the login page starts in its first field
    page.keyboard.type(primary_account.identifiant)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Accueil").wait_for()

    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Aller au contenu" and focused(page)["outline"]
    assert page.get_by_role("link", name="Aller au contenu").is_visible()
    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "main"
    tab_to(page, "Gestion organisme", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisme/fiche/")
    tab_to(page, "Comptes utilisateurs")
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisme/comptes/")
    tab_to(page, "Créer un nouveau compte")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nouveau/")
    tab_to(page, "Civilité")
    page.keyboard.type("Madame")
    page.keyboard.press("Tab")
    page.keyboard.type("MARTIN")
    page.keyboard.press("Tab")
    page.keyboard.type("Lucie")
    page.keyboard.press("Tab")
    page.keyboard.type("lucie.martin@example.fr")
    tab_to(page, "Valider")
    page.keyboard.press("Space")
    page.get_by_text("a bien été créé").wait_for()

    tab_to(page, "Désactiver le compte MARTIN Lucie")
    page.keyboard.press("Enter")
    if javascript:
        page.get_by_role("dialog").wait_for()
    else:
        page.wait_for_url("**/desactiver/")
    tab_to(page, "OK")
    page.keyboard.press("Enter")
    page.get_by_text("a bien été désactivé").wait_for()
    assert "Désactivé" in page.get_by_role("row", name="MARTIN Lucie").inner_text()


def test_region_agent_walks_the_espace_region(open_browser, region_agent, secondary_account, password):
    page = open_browser()
    log_in(page, region_agent.identifiant, password)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Espace Région").click()
    page.get_by_label("Raison sociale, enseigne, SIRET, identifiant, nom ou courriel").fill("organisme test")
    page.get_by_role("main").get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="ORGANISME TEST PRF 23").click()
    assert page.get_by_role("heading", name="Informations des comptes secondaires").is_visible()

    page.get_by_role("link", name=f"Désactiver le compte {COLLEAGUE}").click()
    dialog = page.get_by_role("dialog", name="Désactiver le compte")
    dialog.wait_for()
    open_browser.check_again(page)
    dialog.get_by_role("button", name="OK").click()
    assert "a bien été désactivé" in message(page)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Espace Région").click()
    page.get_by_role("link", name="Historique").click()
    assert "Désactivation" in page.locator("main").inner_text()
