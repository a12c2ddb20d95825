"""ProConnect end to end: Chromium through sigma and the ProConnect-like
provider's own login pages (tests/oidc_provider/)."""

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.steps import log_in
from tests.oidc_provider.provider import CLIENT_ID, CLIENT_SECRET, Provider

PROCONNECT_PASSWORD = "ProConnect-2026!"


@pytest.fixture(scope="module")
def e2e_provider(live_server):
    provider = Provider(base_url=live_server.url).start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(e2e_provider, settings):
    settings.PROCONNECT_DISCOVERY_URL = e2e_provider.discovery_url
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    e2e_provider.reset()
    return e2e_provider


def sign_in_with_proconnect(page, email=None):
    """The button, then ProConnect's login page unless its session is still open."""
    page.goto("/connexion/")
    page.get_by_role("button", name="S\u2019identifier avec ProConnect").click()
    page.wait_for_load_state()
    if email is not None:
        page.get_by_label("Adresse e-mail professionnelle").fill(email)
        page.get_by_label("Mot de passe").fill(PROCONNECT_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()


def test_an_account_links_by_its_password_then_signs_in_with_proconnect_alone_and_out_of_both(
    open_browser, provider, secondary_account, password
):
    provider.add_person(secondary_account.email, sub="sub-e2e", siret=secondary_account.organisme.siret)
    page = open_browser()

    sign_in_with_proconnect(page, secondary_account.email)
    page.get_by_role("heading", name="Lier votre compte SIGMA à ProConnect").wait_for()
    assert page.get_by_label("Identifiant SIGMA").input_value() == secondary_account.identifiant
    page.get_by_label("Mot de passe SIGMA").fill(password)
    page.get_by_role("button", name="Lier mon compte").click()
    page.get_by_text(f"identité ProConnect {secondary_account.email}").wait_for()

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Vous êtes également déconnecté de ProConnect.").wait_for()

    # ProConnect's session ended too: its login page is asked again, then
    # ProConnect alone signs the account in.
    sign_in_with_proconnect(page, secondary_account.email)
    page.get_by_text(f"Bonjour {secondary_account.full_name}").wait_for()
    assert urlsplit(page.url).path == "/"


def test_a_newcomer_asks_to_join_and_signs_in_once_accepted(
    open_browser, provider, organisme, primary_account, password
):
    provider.add_person(
        "lea.nouvelle@organisme.fr", sub="sub-lea", siret=organisme.siret, given_name="Léa", usual_name="NOUVELLE"
    )
    newcomer, manager = open_browser(), open_browser()

    sign_in_with_proconnect(newcomer, "lea.nouvelle@organisme.fr")
    newcomer.get_by_role("heading", name="Demande d’accès").wait_for()
    assert newcomer.get_by_label("Nom d’usage").input_value() == "NOUVELLE"
    newcomer.get_by_label("Civilité").select_option("madame")
    newcomer.get_by_role("button", name="Envoyer la demande").click()
    newcomer.get_by_text("est envoyée au compte principal").wait_for()

    log_in(manager, primary_account.identifiant, password)
    manager.get_by_role("link", name="Voir les demandes d’accès").click()
    manager.get_by_role("button", name="Accepter la demande de NOUVELLE Léa").click()
    manager.get_by_text("son compte secondaire est créé").wait_for()

    sign_in_with_proconnect(newcomer)
    newcomer.get_by_text("Bonjour NOUVELLE Léa").wait_for()


def test_an_unknown_siret_gets_the_explanation(open_browser, provider, organisme):
    provider.add_person("x@ailleurs.fr", sub="sub-ailleurs", siret="98765432100016")
    page = open_browser()

    sign_in_with_proconnect(page, "x@ailleurs.fr")

    page.get_by_role("heading", name="Organisation sans accès à SIGMA").wait_for()
    assert re.search("votre organisation n.a pas accès à SIGMA", page.locator("main").inner_text())
