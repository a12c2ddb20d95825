"""One-time password links under attack: reused, expired, superseded,
tampered with, or used by or for another account than the one they were sent to.

Every link comes from the e-mail its user receives (the `password_link_of`
fixture) and is used through HTTP, as a browser would. Time moves by setting
the stored link's dates back, never by sleeping.
"""

import datetime

import pytest
from django.test import Client

from accounts.models import PasswordLink, User
from tests.pages import read_page

CONFIRM_URL = "/acces/"
REFUSED = "Ce lien n’est plus valable"


def token_of(link_path):
    return link_path.removeprefix("/acces/").removesuffix("/")


def logged_in_id(client):
    return client.session.get("_auth_user_id")


def assert_refused(response):
    assert response.status_code == 404
    assert REFUSED in read_page(response).text
    # The refusal page must not hand the (wrong) token on through the Referer.
    assert response.headers["Referrer-Policy"] == "no-referrer"


def use(client, link_path):
    """Open the link, then click « Continuer »; returns the POST's response."""
    client.get(link_path)
    return client.post(CONFIRM_URL)


def assert_logs_in(client, link_path, account):
    response = use(client, link_path)
    assert response.status_code == 302
    assert logged_in_id(client) == str(account.pk)
    account.refresh_from_db()
    assert account.password_state == User.PasswordState.TEMPORARY


def move_clock(account, by):
    """As if the account's live link had been sent `by` earlier."""
    link = PasswordLink.objects.get(user=account)
    PasswordLink.objects.filter(pk=link.pk).update(created_at=link.created_at - by, expires_at=link.expires_at - by)


def test_a_used_link_cannot_be_used_again(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    assert_logs_in(Client(), link_path, secondary_account)

    attacker = Client()
    assert_refused(attacker.get(link_path))
    assert_refused(attacker.post(CONFIRM_URL))
    assert logged_in_id(attacker) is None


def test_the_same_link_posted_twice_from_the_open_page_logs_in_once(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    first, second = Client(), Client()
    first.get(link_path)
    second.get(link_path)

    assert first.post(CONFIRM_URL).status_code == 302
    assert_refused(second.post(CONFIRM_URL))
    assert logged_in_id(second) is None


def test_a_link_past_its_hour_is_refused(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    move_clock(secondary_account, datetime.timedelta(hours=1, seconds=1))

    client = Client()
    assert_refused(client.get(link_path))
    assert_refused(client.post(CONFIRM_URL))
    assert logged_in_id(client) is None


def test_a_link_opened_in_time_but_confirmed_too_late_is_refused(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    client = Client()
    assert client.get(link_path).status_code == 302
    move_clock(secondary_account, datetime.timedelta(hours=1, seconds=1))

    assert_refused(client.post(CONFIRM_URL))
    assert logged_in_id(client) is None
    secondary_account.refresh_from_db()
    assert secondary_account.password_state == User.PasswordState.CHOSEN


def test_a_link_still_in_its_hour_works(password_link_of, secondary_account):
    """The other side of the expiry: the clock alone must not refuse a live link."""
    link_path = password_link_of(secondary_account)
    move_clock(secondary_account, datetime.timedelta(minutes=59))

    assert_logs_in(Client(), link_path, secondary_account)


def test_a_new_link_supersedes_the_previous_one(password_link_of, secondary_account):
    first = password_link_of(secondary_account)
    second = password_link_of(secondary_account)

    assert first != second
    assert_refused(Client().get(first))
    assert_logs_in(Client(), second, secondary_account)


def test_a_link_opened_before_a_new_one_was_sent_no_longer_logs_in(password_link_of, secondary_account):
    first = password_link_of(secondary_account)
    client = Client()
    client.get(first)
    password_link_of(secondary_account)

    assert_refused(client.post(CONFIRM_URL))
    assert logged_in_id(client) is None


def test_a_password_regenerated_by_the_manager_kills_the_link(
    password_link_of, client_of, primary_account, secondary_account
):
    link_path = password_link_of(secondary_account)
    client_of(primary_account).post(f"/organisme/comptes/{secondary_account.pk}/regenerer/")

    assert_refused(Client().get(link_path))


CYRILLIC_LOOK_ALIKES = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e"})

TAMPERINGS = {
    "one character changed": lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    "first character changed": lambda token: ("x" if token[0] != "x" else "y") + token[1:],
    "truncated": lambda token: token[:-1],
    "half of it": lambda token: token[: len(token) // 2],
    "extended": lambda token: token + "A",
    "doubled": lambda token: token * 2,
    "upper-cased": lambda token: token.upper(),
    # Cyrillic letters in place of the Latin ones they look like.
    "Cyrillic look-alikes": lambda token: token.translate(CYRILLIC_LOOK_ALIKES) + "\u0430",
    "standard base64 alphabet": lambda token: token.replace("-", "+").replace("_", "+") + "+=",
    "very long": lambda token: token * 200,
    "NUL byte": lambda token: token + "%00",
}


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=list(TAMPERINGS))
def test_a_tampered_token_is_refused_and_leaves_the_real_link_working(password_link_of, secondary_account, tampering):
    link_path = password_link_of(secondary_account)
    token = token_of(link_path)
    forged = TAMPERINGS[tampering](token)
    assert forged != token

    attacker = Client()
    assert_refused(attacker.get(f"/acces/{forged}/"))
    assert_refused(attacker.post(CONFIRM_URL))
    assert logged_in_id(attacker) is None
    assert_logs_in(Client(), link_path, secondary_account)


def test_a_link_cannot_be_continued_from_another_browser(password_link_of, secondary_account):
    """Continuer uses the token the browser itself opened, kept in its session."""
    link_path = password_link_of(secondary_account)
    Client().get(link_path)

    other = Client()
    assert_refused(other.post(CONFIRM_URL))
    assert logged_in_id(other) is None


def test_a_link_used_while_logged_in_as_another_account_logs_in_only_its_own_account(
    password_link_of, browser_of, other_primary_account, secondary_account, password, login_succeeds
):
    """Someone logged in as B's compte principal uses A's user's link: they
    become that user, with a temporary password, and B's account is untouched."""
    link_path = password_link_of(secondary_account)
    browser = browser_of(other_primary_account)

    assert_logs_in(browser, link_path, secondary_account)

    other_primary_account.refresh_from_db()
    assert other_primary_account.password_state == User.PasswordState.CHOSEN
    assert login_succeeds(other_primary_account.identifiant, password)
    # What they then choose on Mon compte applies to the link's account only.
    response = browser.post(
        "/mon-compte/modifications/",
        {
            "identifiant": "choisi.par.lien",
            "new_password": "Choisi-Par-Le-Lien-2026!",
            "new_password_confirmation": "Choisi-Par-Le-Lien-2026!",
        },
    )
    assert response.status_code == 302
    assert login_succeeds("choisi.par.lien", "Choisi-Par-Le-Lien-2026!")
    assert login_succeeds(other_primary_account.identifiant, password)


def test_one_accounts_link_never_opens_another_account(password_link_of, secondary_account, second_secondary_account):
    """Two users of one organisme ask for links: each link logs in its own user only."""
    first = password_link_of(secondary_account)
    second = password_link_of(second_secondary_account)

    assert_logs_in(Client(), second, second_secondary_account)
    assert_logs_in(Client(), first, secondary_account)


def test_a_link_for_a_deactivated_account_is_refused(password_link_of, client_of, primary_account, secondary_account):
    link_path = password_link_of(secondary_account)
    client_of(primary_account).post(f"/organisme/comptes/{secondary_account.pk}/desactiver/")

    attacker = Client()
    assert_refused(attacker.get(link_path))
    assert logged_in_id(attacker) is None


def test_the_refusals_do_not_tell_a_forged_token_from_an_expired_one(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    move_clock(secondary_account, datetime.timedelta(hours=2))
    expired = Client().get(link_path)
    forged = Client().get("/acces/" + "A" * 43 + "/")

    assert expired.status_code == forged.status_code == 404
    assert read_page(expired).text == read_page(forged).text
