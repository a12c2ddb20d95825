"""Authentification: the login page, as the guide's users go through it."""

import re
from urllib.parse import urlencode

import pytest

from accounts import services
from accounts.models import User
from tests.accounts.login import LOGIN_URL, error_text, is_logged_in, log_in
from tests.factories import UserFactory

WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"


def test_login_page_asks_for_identifiant_and_password_and_offers_help(client, db):
    page = client.get(LOGIN_URL).content.decode()

    assert re.search(r"<label[^>]*>Identifiant\b", page)
    assert re.search(r"<label[^>]*>Mot de passe\b", page)
    assert re.search(r'<a href="/generation-mot-de-passe/">Mot de passe oublié\xa0\?</a>', page)
    assert re.search(r'<a href="/identifiant-oublie/">Identifiant oublié\xa0\?</a>', page)


def test_right_identifiant_and_password_open_the_home_page_greeting_the_user(client, secondary_account, password):
    response = log_in(client, "test.identifiant", password)

    assert response.status_code == 302
    assert response.url == "/"
    home = client.get("/").content.decode()
    assert "Bonjour NOM TEST COMPTE PRENOM TEST COMPTE" in home


@pytest.mark.parametrize("typed", ["TEST.IDENTIFIANT", "Test.Identifiant", "  test.identifiant  "])
def test_identifiant_is_recognised_whatever_its_case(client, secondary_account, password, typed):
    response = log_in(client, typed, password)

    assert response.status_code == 302
    assert response.url == "/"
    assert is_logged_in(client)


def test_password_is_case_sensitive(client, secondary_account, password):
    response = log_in(client, "test.identifiant", password.swapcase())

    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in error_text(response)
    assert not is_logged_in(client)


def test_wrong_password_is_refused_with_a_french_message(client, secondary_account):
    response = log_in(client, "test.identifiant", WRONG_PASSWORD)

    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in error_text(response)
    assert not is_logged_in(client)


def test_deactivated_account_cannot_log_in_even_with_the_right_password(client, db, password):
    UserFactory(deactivated=True, identifiant="en.sommeil")

    response = log_in(client, "en.sommeil", password)

    assert response.status_code == 200
    assert "Votre compte est désactivé" in error_text(response)
    assert not is_logged_in(client)


def test_deleted_account_can_no_longer_log_in(client, primary_account, secondary_account, password):
    services.delete_account(secondary_account, acting_account=primary_account)

    response = log_in(client, "test.identifiant", password)

    assert "Identifiant ou mot de passe incorrect" in error_text(response)
    assert not is_logged_in(client)


@pytest.mark.argon2
def test_passwords_are_stored_hashed_with_argon2id(client, secondary_account, password):
    stored = User.objects.get(pk=secondary_account.pk).password

    assert stored.startswith("argon2$argon2id$")
    assert password not in stored
    # OWASP's floor for Argon2id: at least 19 MiB of memory and 2 iterations.
    params = dict(item.split("=") for item in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024
    assert int(params["t"]) >= 2
    # And that hash is what the login page checks the typed password against.
    assert log_in(client, "test.identifiant", password).url == "/"


def test_pages_require_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/connexion/?next=/"


def test_after_login_the_user_reaches_the_page_they_asked_for(client, primary_account, password):
    login_url = client.get("/organisme/comptes/").url
    assert login_url == "/connexion/?next=/organisme/comptes/"

    # The form posts back to its own address, ?next= included, as a browser does.
    response = log_in(client, "66bdj5zw4x", password, url=login_url)

    assert response.status_code == 302
    assert response.url == "/organisme/comptes/"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "/\\evil.example/"],
)
def test_login_never_sends_the_user_to_another_site(client, primary_account, password, next_url):
    response = log_in(client, "66bdj5zw4x", password, url=f"{LOGIN_URL}?{urlencode({'next': next_url})}")

    assert response.status_code == 302
    assert response.url == "/"


def test_logged_in_user_opening_the_login_page_goes_home(client_of, secondary_account):
    client = client_of(secondary_account)

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response.url == "/"
