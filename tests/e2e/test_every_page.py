"""Every screen of both roles on the demo data, in the browser: axe-core finds
no serious or critical violation, and (tests/e2e/conftest.py) at 375 and 320 px
nothing scrolls sideways, every link and button of a table is on screen, no
console error, no static file fails to load."""

import pytest
from django.core.management import call_command

from tests.e2e.conftest import AccessibilityAudit, off_screen
from tests.e2e.steps import log_in
from tests.screens import DEMO_PASSWORD, PRIMARY, REGION_AGENT, anonymous_screens, organisme_screens, region_screens


@pytest.fixture
def demo(db):
    call_command("load_demo")


def visit(page, screens):
    for _, path in screens:
        page.goto(path)
        page.locator("main h1").wait_for()


def test_every_screen_without_an_account(open_browser, demo):
    visit(open_browser(), anonymous_screens())


def test_every_screen_of_a_compte_principal(open_browser, demo):
    page = open_browser()
    log_in(page, PRIMARY, DEMO_PASSWORD)
    visit(page, organisme_screens())


def test_every_screen_of_a_region_agent_and_the_style_guide(open_browser, demo, settings):
    page = open_browser()
    log_in(page, REGION_AGENT, DEMO_PASSWORD)
    visit(page, region_screens())
    settings.DEBUG = True  # the style guide exists in development only
    visit(page, [("guide-de-style", "/dev/styleguide/")])


def test_the_menu_folds_behind_a_button_on_a_phone_and_opens_without_javascript(open_browser, demo):
    page = open_browser(javascript=False)
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, PRIMARY, DEMO_PASSWORD)
    menu = page.get_by_role("navigation", name="Menu principal")
    assert not menu.is_visible()

    page.get_by_role("link", name="Menu").click()
    assert menu.is_visible()
    menu.get_by_role("link", name="Gestion organisme").click()
    page.wait_for_url("**/organisme/fiche/")
    assert not menu.is_visible()


def test_a_table_turns_into_cards_on_a_phone(open_browser, demo):
    page = open_browser()
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, PRIMARY, DEMO_PASSWORD)
    page.goto("/organisme/comptes/")
    card = page.locator("main table tbody tr").first
    # Each cell shows its column's name before its value (CSS ::before from data-label).
    labelled = card.evaluate(
        """row => Array.from(row.querySelectorAll("td[data-label]"), cell =>
            [cell.dataset.label, getComputedStyle(cell, "::before").content !== "none"])"""
    )
    assert labelled[:2] == [["Identifiant", True], ["Courriel", True]]
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    assert card.evaluate("row => row.closest('table').querySelector('thead').getBoundingClientRect().height") <= 1
    assert card.get_by_role("link", name="Modifier").is_visible()


def test_the_checks_find_a_wide_page_a_hidden_table_button_a_missing_file_and_a_console_error(
    chromium, live_server, db
):
    audit = AccessibilityAudit()
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR")
    page = audit.watch(context.new_page(), javascript=True).unwrapped
    page.goto("/connexion/")
    assert off_screen(page) == []

    page.evaluate(
        """() => {
            const table = document.createElement("table");
            table.innerHTML = "<tr><td>x</td><td><button type=button>Caché</button></td></tr>";
            table.rows[0].cells[0].style.minWidth = "900px";
            const wrapper = document.createElement("div");
            wrapper.className = "table-wrapper";
            wrapper.appendChild(table);
            document.querySelector("main").append(wrapper);
            const image = document.createElement("img");
            image.src = "/static/img/absent.svg";
            image.alt = "";
            document.body.appendChild(image);
            console.error("erreur de test");
        }"""
    )
    page.wait_for_load_state("networkidle")

    # The table scrolls in its own box: the page does not, but its button is out of reach.
    assert off_screen(page) == ["375 px: off screen in a table: Caché", "320 px: off screen in a table: Caché"]
    page.evaluate(
        """() => {
            document.querySelector(".table-wrapper").remove();
            const wide = document.createElement("div");
            wide.style.width = "600px";
            wide.style.height = "10px";
            document.querySelector("main").append(wide);
        }"""
    )
    found = off_screen(page)
    assert len(found) == 2 and all(" px: page " in line for line in found), found
    assert any("404 for /static/img/absent.svg" in line for line in audit.problems), audit.problems
    assert any("console error: erreur de test" in line for line in audit.problems), audit.problems
    context.close()
