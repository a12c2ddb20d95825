"""Who reads which history: a primary account its own organisme's, whatever
it puts in the address; a Region agent everything, and only it exports;
secondary accounts nothing; anonymous visitors are sent to log in."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.login import log_in
from tests.two_factor import log_in_verified

ORGANISME_HISTORY = "/organisme/historique/"
REGION_HISTORY = "/region/historique/"
REGION_CSV = "/region/historique/export.csv"
HISTORIES = [ORGANISME_HISTORY, REGION_HISTORY, REGION_CSV]
COLLEAGUE_NAME = "Madame NOM TEST COMPTE PRENOM TEST COMPTE"


@pytest.fixture
def both_organismes_events(
    add_entry, primary_account, secondary_account, other_primary_account, other_secondary_account
):
    """One event for each account of both organismes."""
    for account in (primary_account, secondary_account, other_primary_account, other_secondary_account):
        add_entry(account, ip="192.0.2.1")


@pytest.fixture
def other_names(other_primary_account, other_secondary_account, other_organisme):
    """What must never appear on this organisme's history."""
    return [
        other_primary_account.full_name,
        other_secondary_account.full_name,
        other_organisme.raison_sociale,
    ]


@pytest.mark.parametrize("url", HISTORIES)
def test_anonymous_visitor_is_sent_to_log_in(url, client, db):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(f"/connexion/?next={url}")


@pytest.mark.parametrize("url", HISTORIES)
def test_secondary_account_reads_no_history(url, client_of, secondary_account, both_organismes_events):
    assert client_of(secondary_account).get(url).status_code == 403


@pytest.mark.parametrize("url", [REGION_HISTORY, REGION_CSV])
def test_primary_account_neither_reads_nor_exports_the_region_history(
    url, client_of, primary_account, both_organismes_events
):
    response = client_of(primary_account).get(url)

    assert response.status_code == 403
    assert b"FORMATIONS DU MIDI" not in response.content


def test_region_agent_has_no_gestion_organisme_history(client_of, region_agent):
    assert client_of(region_agent).get(ORGANISME_HISTORY).status_code == 403


@pytest.mark.parametrize("url", HISTORIES)
def test_history_pages_change_nothing_and_refuse_post(url, client_of, primary_account, region_agent, stored_state):
    browser = client_of(primary_account if url == ORGANISME_HISTORY else region_agent)
    before = stored_state()

    assert browser.post(url).status_code == 405
    assert stored_state() == before


def test_primary_account_reads_only_its_organisme_events(
    client_of, page_of, primary_account, both_organismes_events, other_names
):
    response = client_of(primary_account).get(ORGANISME_HISTORY)

    page = page_of(response)
    assert sorted(page.column("Compte")) == ["Madame BLA PAU", COLLEAGUE_NAME]
    for name in other_names:
        assert name not in response.content.decode()


def test_other_organisme_primary_account_reads_only_its_own(
    client_of, page_of, other_primary_account, other_secondary_account, both_organismes_events
):
    page = page_of(client_of(other_primary_account).get(ORGANISME_HISTORY))

    assert sorted(page.column("Compte")) == sorted(
        [other_primary_account.civil_name, other_secondary_account.civil_name]
    )


@pytest.mark.parametrize("forged", ["other_secondary_account", "other_primary_account", "region_agent"])
def test_an_account_of_elsewhere_in_the_address_shows_nothing(
    forged, request, client_of, field_errors, page_of, primary_account, both_organismes_events, other_names
):
    account = request.getfixturevalue(forged)

    response = client_of(primary_account).get(f"{ORGANISME_HISTORY}?compte={account.pk}")

    assert response.status_code == 200
    assert field_errors(response, "compte") == ["Sélectionnez un compte de la liste."]
    assert page_of(response).rows == []
    for name in [*other_names, account.full_name]:
        assert name not in response.content.decode()


def test_an_organisme_in_the_address_does_not_widen_the_history(
    client_of, page_of, primary_account, other_organisme, both_organismes_events
):
    page = page_of(client_of(primary_account).get(f"{ORGANISME_HISTORY}?organisme={other_organisme.pk}"))

    assert sorted(page.column("Compte")) == ["Madame BLA PAU", COLLEAGUE_NAME]


def test_region_agent_reads_and_exports_every_organisme_events(
    client_of, page_of, region_agent, primary_account, other_secondary_account, both_organismes_events
):
    browser = client_of(region_agent)

    page = page_of(browser.get(REGION_HISTORY))
    export = b"".join(browser.get(REGION_CSV).streaming_content).decode()

    assert len(page.rows) == 4
    assert set(page.column("Organisme")) == {"ORGANISME TEST PRF 23", "FORMATIONS DU MIDI"}
    assert export.count("\r\n") == 1 + 4
    assert other_secondary_account.civil_name in export


def test_organismes_do_not_see_the_region_addresses(
    client_of, page_of, region_agent, primary_account, secondary_account
):
    log_in(Client(REMOTE_ADDR="192.0.2.7"), "test.identifiant", "Mauvais-Secret-1!")
    agent = log_in_verified(Client(REMOTE_ADDR="10.20.30.40"), region_agent)
    agent.post(reverse("region:account_action", args=[secondary_account.pk, "desactiver"]))

    organisme_page = page_of(client_of(primary_account).get(ORGANISME_HISTORY))
    region_page = page_of(agent.get(REGION_HISTORY))

    assert [(row[1], row[-1]) for row in organisme_page.rows] == [
        ("Désactivation du compte", "-"),
        ("Échec de connexion", "192.0.2.7"),
    ]
    assert [(row[1], row[-1]) for row in region_page.rows] == [
        ("Désactivation du compte", "10.20.30.40"),
        ("Échec de connexion", "192.0.2.7"),
    ]
