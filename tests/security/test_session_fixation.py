"""Session fixation and replay: a session key planted before login is never the
one a user works in, and a session key stolen from a browser stops working
at logout and when its account's password changes."""

from django.conf import settings
from django.test import Client

LOGIN_URL = "/connexion/"


def planted_session(client):
    """An anonymous session the attacker made the victim's browser carry."""
    client.get(LOGIN_URL)
    session = client.session
    session["planted"] = True
    session.save()
    return session.session_key


def replay(session_key):
    """Another browser presenting a copied session cookie: is it logged in?"""
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return thief.get("/").status_code == 200


def test_login_gives_a_new_session_key(client, secondary_account, password):
    planted = planted_session(client)

    client.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": password})

    assert "_auth_user_id" in client.session
    assert client.session.session_key != planted
    assert not replay(planted)


def test_login_by_one_time_link_gives_a_new_session_key(client, password_link_of, secondary_account):
    planted = planted_session(client)
    client.get(password_link_of(secondary_account))
    client.post("/acces/")

    assert client.session.get("_auth_user_id") == str(secondary_account.pk)
    assert client.session.session_key != planted
    assert not replay(planted)


def test_a_copied_session_cookie_stops_working_at_logout(client, secondary_account, password):
    client.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": password})
    stolen = client.session.session_key
    assert replay(stolen)

    client.post("/deconnexion/")

    assert not replay(stolen)


def test_a_password_change_ends_the_other_sessions_and_keeps_the_current_one(secondary_account, password):
    elsewhere, here = Client(), Client()
    for browser in (elsewhere, here):
        browser.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": password})
    stolen = elsewhere.session.session_key

    response = here.post(
        "/mon-compte/modifications/",
        {
            "current_password": password,
            "identifiant": "test.identifiant",
            "new_password": "Nouveau-Secret-Occitanie-8!",
            "new_password_confirmation": "Nouveau-Secret-Occitanie-8!",
        },
    )

    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert not replay(stolen)


def test_session_cookie_is_http_only_and_same_site(client, secondary_account, password):
    response = client.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": password})

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
