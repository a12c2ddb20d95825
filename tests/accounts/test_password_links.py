"""The one-time link of the second e-mail: /acces/<token>/ moves the token into
the session, /acces/ asks to "Continuer", and the POST logs the user in with a
temporary password (guide, section 1)."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import PasswordLink, User
from accounts.views import LINK_SESSION_KEY
from tests.pages import read_page

CONFIRM_URL = "/acces/"
CREDENTIALS_URL = "/mon-compte/modifications/"
TEMPORARY_MESSAGE = "Vous avez été automatiquement connecté par l’application avec un mot de passe temporaire"


def token_of(link_path):
    return link_path.removeprefix("/acces/").removesuffix("/")


def logged_in_account_id(client):
    return client.session.get("_auth_user_id")


def assert_link_refused(response):
    assert response.status_code == 404
    assert "Ce lien n’est plus valable" in read_page(response).text
    assert response.headers["Referrer-Policy"] == "no-referrer"


def continue_with(client, link_path):
    """Open the link, then click « Continuer »."""
    client.get(link_path)
    return client.post(CONFIRM_URL)


def opened(link_path):
    """A browser showing the link's confirmation page, « Continuer » not clicked yet."""
    browser = Client()
    assert ">Continuer</button>" in browser.get(link_path, follow=True).content.decode()
    return browser


def assert_link_dead(browser, link_path):
    """Neither « Continuer » on the open page nor the link itself logs anyone in any more."""
    assert_link_refused(browser.post(CONFIRM_URL))
    assert logged_in_account_id(browser) is None
    assert_link_refused(Client().get(link_path))


def fail_three_logins(account):
    for _ in range(3):
        Client().post("/connexion/", {"identifiant": account.identifiant, "password": "Mauvais-Secret-1!"})


def test_link_moves_its_token_out_of_the_address_before_showing_anything(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    token = token_of(link_path)

    response = client.get(link_path)

    assert response.status_code == 302
    assert response.url == CONFIRM_URL
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert client.session[LINK_SESSION_KEY] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in client.session.values())


def test_confirmation_page_offers_continuer_without_showing_the_token(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)

    response = client.get(link_path, follow=True)

    assert response.redirect_chain == [(CONFIRM_URL, 302)]
    assert response.status_code == 200
    # The page holds no token; no-referrer would make browsers post "Origin: null".
    assert response.headers["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    assert ">Continuer</button>" in page
    assert 'method="post"' in page
    assert token_of(link_path) not in page
    assert logged_in_account_id(client) is None


def test_new_user_generates_password_from_the_emailed_link(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)

    response = continue_with(client, link_path)

    assert response.status_code == 302
    assert response.url == CREDENTIALS_URL
    assert logged_in_account_id(client) == str(secondary_account.pk)
    secondary_account.refresh_from_db()
    assert secondary_account.password_state == User.PasswordState.TEMPORARY
    page = client.get(CREDENTIALS_URL)
    assert page.status_code == 200
    assert TEMPORARY_MESSAGE in read_page(page).text


def test_continuer_works_in_a_browser_that_checks_the_csrf_token(password_link_of, secondary_account):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(password_link_of(secondary_account), follow=True)
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    response = browser.post(CONFIRM_URL, {"csrfmiddlewaretoken": csrf_token})

    assert response.status_code == 302
    assert logged_in_account_id(browser) == str(secondary_account.pk)


@pytest.mark.parametrize("path", ["/", "/organisme/comptes/", "/organisme/fiche/"])
def test_every_page_leads_back_to_mon_compte_until_the_new_password_is_saved(
    client, client_by_link, primary_account, path
):
    client_by_link(primary_account)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == CREDENTIALS_URL

    client.post(
        CREDENTIALS_URL,
        {
            "identifiant": primary_account.identifiant,
            "new_password": "Gestion-Comptes-2026!",
            "new_password_confirmation": "Gestion-Comptes-2026!",
        },
    )
    assert client.get(path).status_code == 200


def test_temporary_password_user_cannot_act_on_accounts_before_saving(
    client, client_by_link, primary_account, secondary_account
):
    client_by_link(primary_account)

    response = client.post(f"/organisme/comptes/{secondary_account.pk}/desactiver/")

    assert response.url == CREDENTIALS_URL
    secondary_account.refresh_from_db()
    assert secondary_account.is_active


def test_link_works_only_once(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    assert continue_with(client, link_path).url == CREDENTIALS_URL

    assert_link_refused(Client().get(link_path))


def test_link_opened_in_two_browsers_logs_in_only_the_first_to_continue(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    first, second = Client(), Client()
    first.get(link_path)
    second.get(link_path)

    assert first.post(CONFIRM_URL).status_code == 302
    assert_link_refused(second.post(CONFIRM_URL))
    assert logged_in_account_id(second) is None


def test_mail_scanner_opening_the_link_does_not_use_it_up(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    scanner = Client()
    for method in (scanner.get, scanner.head):
        assert method(link_path, follow=True).status_code == 200

    assert logged_in_account_id(scanner) is None
    response = continue_with(client, link_path)
    assert response.url == CREDENTIALS_URL
    assert logged_in_account_id(client) == str(secondary_account.pk)


def test_link_lasts_one_hour(password_link_of, secondary_account, settings):
    password_link_of(secondary_account)
    link = PasswordLink.objects.get(user=secondary_account)

    assert settings.PASSWORD_LINK_MAX_AGE_SECONDS == 3600
    assert abs(link.expires_at - link.created_at - timedelta(hours=1)) < timedelta(seconds=1)


def sent_ago(account, delay):
    """Move time: as if the account's link had been e-mailed `delay` ago."""
    PasswordLink.objects.filter(user=account).update(
        created_at=timezone.now() - delay, expires_at=timezone.now() - delay + timedelta(hours=1)
    )


def test_link_still_works_59_minutes_after_it_was_sent(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    sent_ago(secondary_account, timedelta(minutes=59))

    assert continue_with(client, link_path).url == CREDENTIALS_URL


def test_link_expires_after_one_hour(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    sent_ago(secondary_account, timedelta(hours=1, seconds=1))

    assert_link_refused(client.get(link_path))
    secondary_account.refresh_from_db()
    assert secondary_account.password_state == User.PasswordState.CHOSEN


def test_link_expiring_while_the_confirmation_page_is_open_does_not_log_in(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    browser = opened(link_path)

    sent_ago(secondary_account, timedelta(hours=1, seconds=1))

    assert_link_dead(browser, link_path)


def test_a_newer_link_kills_the_older_one(client, password_link_of, secondary_account):
    older = password_link_of(secondary_account)
    browser = opened(older)

    newer = password_link_of(secondary_account)

    assert_link_dead(browser, older)
    assert continue_with(client, newer).url == CREDENTIALS_URL


def test_changing_the_password_kills_the_link(client_of, password_link_of, secondary_account, password):
    link_path = password_link_of(secondary_account)
    browser = opened(link_path)

    client_of(secondary_account).post(
        CREDENTIALS_URL,
        {
            "current_password": password,
            "identifiant": secondary_account.identifiant,
            "new_password": "Nouveau-Secret-2026!",
            "new_password_confirmation": "Nouveau-Secret-2026!",
        },
    )

    assert_link_dead(browser, link_path)


def test_three_wrong_passwords_block_the_account_and_kill_the_link(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    browser = opened(link_path)

    fail_three_logins(secondary_account)

    secondary_account.refresh_from_db()
    assert secondary_account.is_blocked
    assert_link_dead(browser, link_path)


@pytest.mark.parametrize("action", ["desactiver", "supprimer", "regenerer"])
def test_link_dies_when_the_primary_account_deactivates_deletes_or_regenerates_the_account(
    client_of, password_link_of, primary_account, secondary_account, action
):
    link_path = password_link_of(secondary_account)
    browser = opened(link_path)

    response = client_of(primary_account).post(f"/organisme/comptes/{secondary_account.pk}/{action}/")

    assert response.status_code == 302
    assert_link_dead(browser, link_path)


def test_link_of_a_reactivated_account_stays_dead(client_of, password_link_of, primary_account, secondary_account):
    link_path = password_link_of(secondary_account)
    browser = opened(link_path)
    manager = client_of(primary_account)
    manager.post(f"/organisme/comptes/{secondary_account.pk}/desactiver/")
    manager.post(f"/organisme/comptes/{secondary_account.pk}/activer/")

    secondary_account.refresh_from_db()
    assert secondary_account.is_active
    assert_link_dead(browser, link_path)


@pytest.mark.parametrize("token", ["inconnu", "x" * 43, "y" * 500])
def test_unknown_link_shows_that_it_is_no_longer_valid(client, db, token):
    assert_link_refused(client.get(f"/acces/{token}/"))


def test_confirmation_page_without_a_link_shows_that_it_is_no_longer_valid(client, db):
    assert_link_refused(client.get(CONFIRM_URL))
    assert_link_refused(client.post(CONFIRM_URL))


def test_token_is_never_stored_in_clear(client, password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    token = token_of(link_path)
    assert PasswordLink.objects.get(user=secondary_account).token_digest == hashlib.sha256(token.encode()).hexdigest()

    client.get(link_path)
    client.get(CONFIRM_URL)

    for model in apps.get_models():
        for row in model.objects.values():
            assert token not in repr(row), model
    for session in Session.objects.all():
        assert token not in repr(session.get_decoded())


def test_blocked_user_unblocks_the_account_by_using_the_emailed_link(
    client, mailbox, login_succeeds, password_link_of, primary_account, secondary_account
):
    fail_three_logins(secondary_account)
    secondary_account.refresh_from_db()
    assert secondary_account.is_blocked

    continue_with(client, password_link_of(secondary_account))

    secondary_account.refresh_from_db()
    assert not secondary_account.is_blocked
    assert secondary_account.failed_login_count == 0
    assert logged_in_account_id(client) == str(secondary_account.pk)
    # The first told the primary account of the blocking (test_block_notifications.py).
    [_blocked, notice] = mailbox.to(primary_account.email)
    assert "Déblocage d’un compte secondaire" in notice["Subject"]

    client.post(
        CREDENTIALS_URL,
        {
            "identifiant": secondary_account.identifiant,
            "new_password": "Retour-Au-Travail-2026",
            "new_password_confirmation": "Retour-Au-Travail-2026",
        },
    )
    assert login_succeeds(secondary_account.identifiant, "Retour-Au-Travail-2026")


def test_using_the_link_of_an_unblocked_account_sends_the_primary_account_nothing(
    client, mailbox, password_link_of, primary_account, secondary_account
):
    continue_with(client, password_link_of(secondary_account))

    assert mailbox.to(primary_account.email) == []
