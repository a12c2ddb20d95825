"""The guide's sections 1 and 2, walked in a real browser through the visible
French labels and buttons, with and without JavaScript."""

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.steps import log_in, message

NEW_PASSWORD = "Quai-des-Peupliers-77"


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-javascript", "sans-javascript"])
def test_primary_account_creates_a_colleague_who_follows_both_emails_to_a_first_login(
    open_browser, mailbox, primary_account, password, javascript
):
    page = open_browser(javascript=javascript)
    log_in(page, primary_account.identifiant, password)
    page.get_by_role("link", name="Gestion organisme").click()
    page.get_by_role("link", name="Comptes utilisateurs").first.click()
    page.get_by_role("link", name="Créer un nouveau compte").click()
    page.get_by_label("Civilité").select_option(label="Madame")
    page.get_by_label("Nom d’usage").fill("NOM TEST COMPTE")
    page.get_by_label("Prénom").fill("PRENOM TEST COMPTE")
    page.get_by_label("Courriel").fill("aa@aa.fr")
    page.get_by_role("button", name="Valider").click()
    assert message(page) == (
        "Le compte secondaire de Madame NOM TEST COMPTE PRENOM TEST COMPTE de l’organisme de formation "
        "ORGANISME TEST PRF 23 a bien été créé. Un courriel de récupération de mot de passe a été envoyé "
        "à l’adresse du compte."
    )
    page.get_by_role("button", name="Se déconnecter").click()

    first_email = mailbox.text(mailbox.last_to("aa@aa.fr"))
    identifiant = re.search(r"Identifiant : (\S+)", first_email).group(1)
    generation_link = next(link for link in re.findall(r"https?://\S+", first_email) if "generation" in link)
    page.goto(urlsplit(generation_link).path)
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Nom d’usage").fill("NOM TEST COMPTE")
    page.get_by_label("Prénom").fill("PRENOM TEST COMPTE")
    page.get_by_label("Courriel").fill("aa@aa.fr")
    page.get_by_role("button", name="Valider").click()

    second_email = mailbox.text(mailbox.last_to("aa@aa.fr"))
    one_time_link = next(link for link in re.findall(r"https?://\S+", second_email) if "/acces/" in link)
    page.goto(urlsplit(one_time_link).path)
    page.get_by_role("button", name="Continuer").click()
    assert "mot de passe temporaire" in page.locator("main").inner_text()

    page.get_by_label("Identifiant").fill("nom.test")
    page.get_by_label("Mot de passe *", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    assert message(page) == "Les modifications ont bien été enregistrées"
    page.get_by_role("link", name="Retour à l’accueil").click()
    assert "Bonjour NOM TEST COMPTE PRENOM TEST COMPTE" in page.locator("header").inner_text()

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "nom.test", NEW_PASSWORD)
    assert page.get_by_role("heading", name="Accueil").is_visible()


@pytest.fixture
def colleague(secondary_account):
    return secondary_account


def test_primary_account_manages_a_colleague_through_section_2(open_browser, primary_account, colleague, password):
    colleague_page = open_browser(javascript=False)
    for _ in range(3):
        log_in(colleague_page, colleague.identifiant, "pas-le-bon-mot-de-passe")
    assert "Votre compte est bloqué" in colleague_page.locator("main").inner_text()

    page = open_browser(javascript=False)
    log_in(page, primary_account.identifiant, password)
    name = "NOM TEST COMPTE PRENOM TEST COMPTE"
    # The header's Recherche rapide finds the colleague, whatever the case typed.
    page.locator("header").get_by_label("Recherche rapide").fill("prénom test")
    page.locator("header").get_by_role("button", name="Rechercher").click()
    assert page.get_by_role("heading", name="Recherche rapide", level=1).is_visible()
    page.get_by_role("link", name=name).click()
    assert page.get_by_role("heading", name="Gestion du compte", level=1).is_visible()
    guide_message = "Le compte secondaire de Madame {} de l’organisme de formation ORGANISME TEST PRF 23 a bien été {}."
    for link, verb in [
        ("Débloquer le compte", "débloqué"),
        ("Désactiver le compte", "désactivé"),
        ("Activer le compte", "activé"),
        ("Régénérer le mot de passe", "régénéré"),
        ("Supprimer", "supprimé"),
    ]:
        page.goto("/organisme/comptes/")
        page.get_by_role("link", name=f"{link} {name}").click()
        assert "Êtes-vous sûr de vouloir" in page.locator("main").inner_text()
        page.get_by_role("button", name="OK").click()
        assert message(page).startswith(guide_message.format(name, verb))
    assert "Nombre de résultats : 0" in page.locator("main").inner_text()
