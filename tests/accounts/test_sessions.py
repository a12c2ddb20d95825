"""Ending sessions: logging out, and the actions that end an account's open sessions at once."""

import pytest
from django.test import Client

from accounts import services
from tests.factories import UserFactory

LOGIN_URL = "/connexion/"
WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"


def logged_in_browser(identifiant, password):
    """A browser of its own, logged in through the login page."""
    browser = Client()
    response = browser.post(LOGIN_URL, {"identifiant": identifiant, "password": password})
    assert response.status_code == 302, "could not log in"
    assert browser.get("/").status_code == 200
    return browser


def assert_sent_back_to_login(browser):
    response = browser.get("/")
    assert response.status_code == 302
    assert response.url == "/connexion/?next=/"


def test_logout_ends_the_session(secondary_account, password):
    browser = logged_in_browser("test.identifiant", password)

    response = browser.post("/deconnexion/", follow=True)

    assert response.redirect_chain == [("/connexion/", 302)]
    assert "Vous êtes déconnecté." in response.content.decode()
    assert_sent_back_to_login(browser)


def test_logout_is_not_triggered_by_a_mere_link(secondary_account, password):
    browser = logged_in_browser("test.identifiant", password)

    assert browser.get("/deconnexion/").status_code == 405
    assert browser.get("/").status_code == 200


@pytest.mark.parametrize(
    "action",
    [services.deactivate_account, services.delete_account, services.regenerate_password],
    ids=["deactivate", "delete", "regenerate_password"],
)
def test_action_on_an_account_ends_its_open_sessions(primary_account, secondary_account, password, action):
    browser = logged_in_browser("test.identifiant", password)

    action(secondary_account, acting_account=primary_account)

    assert_sent_back_to_login(browser)


@pytest.mark.parametrize("action", ["regenerer", "supprimer", "desactiver"])
def test_primary_account_action_ends_the_secondary_account_sessions(
    client_of, primary_account, secondary_account, password, action
):
    browser = logged_in_browser("test.identifiant", password)
    manager = client_of(primary_account)

    response = manager.post(f"/organisme/comptes/{secondary_account.pk}/{action}/")
    assert response.status_code == 302
    assert response.url == "/organisme/comptes/"

    assert_sent_back_to_login(browser)
    assert manager.get("/").status_code == 200


def test_blocking_by_wrong_passwords_elsewhere_ends_the_open_sessions(secondary_account, password):
    browser = logged_in_browser("test.identifiant", password)
    elsewhere = Client()
    for _ in range(3):
        elsewhere.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": WRONG_PASSWORD})

    assert_sent_back_to_login(browser)


def test_actions_on_another_account_leave_the_session_open(primary_account, secondary_account, password):
    colleague = UserFactory(organisme=primary_account.organisme)
    browser = logged_in_browser("test.identifiant", password)

    services.regenerate_password(colleague, acting_account=primary_account)
    services.deactivate_account(colleague, acting_account=primary_account)
    services.modify_account(
        secondary_account,
        acting_account=primary_account,
        based_on_version=secondary_account.version,
        civilite="madame",
        last_name="NOM MODIFIE",
        first_name="PRENOM TEST COMPTE",
        email="aa1@aa.fr",
    )

    assert "Bonjour NOM MODIFIE PRENOM TEST COMPTE" in browser.get("/").content.decode()


def test_reactivating_does_not_revive_an_ended_session(primary_account, secondary_account, password):
    browser = logged_in_browser("test.identifiant", password)
    services.deactivate_account(secondary_account, acting_account=primary_account)

    services.activate_account(secondary_account, acting_account=primary_account)

    assert_sent_back_to_login(browser)
    assert logged_in_browser("test.identifiant", password)


def test_unblocking_does_not_revive_an_ended_session(primary_account, secondary_account, password):
    browser = logged_in_browser("test.identifiant", password)
    elsewhere = Client()
    for _ in range(3):
        elsewhere.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": WRONG_PASSWORD})
    assert_sent_back_to_login(browser)

    services.unblock_account(secondary_account, acting_account=primary_account)

    assert_sent_back_to_login(browser)
    assert logged_in_browser("test.identifiant", password)
