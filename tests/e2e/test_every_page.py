"""Every screen of both roles on the demo data, in the browser: axe-core finds
no serious or critical violation, and (tests/e2e/conftest.py) at 375 and 320 px
nothing scrolls sideways, every link and button of a table is on screen, no
console error, no static file fails to load."""

import pytest
from django.core.management import call_command

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
    text = card.inner_text()
    assert "Identifiant\u00a0:" in text
    assert "Statut du compte\u00a0:" in text
    assert card.get_by_role("link", name="Modifier").is_visible()
