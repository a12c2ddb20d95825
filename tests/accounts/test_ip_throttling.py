"""Per-IP limits against automation (accounts/throttling.py): failed logins
whatever the account, and requests on the Génération de mot de passe page, the
Identifiant oublié page and one-time links. Past the limit the page comes back
with a message and status 429, and nothing is looked up or counted against any
account.

Addresses are set through the test client's REMOTE_ADDR only."""

import time

import pytest
from django.test import Client, RequestFactory

from accounts import links, throttling
from accounts.models import PasswordLink, UnknownIdentifiantAttempts, User
from audit.models import AuditEntry
from tests.accounts.login import error_text, is_logged_in, log_in
from tests.conftest import run_worker_until_idle
from tests.pages import read_page

WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"
TOO_MANY = "Trop de tentatives depuis votre adresse. Veuillez réessayer dans quelques minutes."
OTHER_ADDRESS = "10.0.0.2"


def fail_logins_on_unknown_identifiants(client, count):
    for number in range(count):
        response = log_in(client, f"inconnu.{number}", WRONG_PASSWORD)
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect" in error_text(response)


def test_limits_default_to_twenty_failed_logins_and_ten_requests_per_quarter_hour(settings):
    assert settings.LOGIN_FAILURES_PER_IP == 20
    assert settings.ACCOUNT_RECOVERY_REQUESTS_PER_IP == 10
    assert settings.IP_THROTTLE_WINDOW_SECONDS == 15 * 60


# Login


def test_under_the_limit_the_right_password_still_logs_in(client, secondary_account, password):
    fail_logins_on_unknown_identifiants(client, 19)

    assert log_in(client, "test.identifiant", password).url == "/"
    assert is_logged_in(client)


def test_over_the_limit_the_login_page_refuses_without_touching_the_account(client, secondary_account, password):
    fail_logins_on_unknown_identifiants(client, 20)
    entries = AuditEntry.objects.count()
    unknown_attempts = list(UnknownIdentifiantAttempts.objects.values_list("failed_count", flat=True))

    wrong = log_in(client, "test.identifiant", WRONG_PASSWORD)
    right = log_in(client, "test.identifiant", password)
    unknown = log_in(client, "inconnu.0", WRONG_PASSWORD)

    for response in (wrong, right, unknown):
        assert response.status_code == 429
        assert error_text(response) == TOO_MANY
    assert not is_logged_in(client)
    account = User.objects.get(pk=secondary_account.pk)
    assert account.failed_login_count == 0
    assert not account.is_blocked
    assert AuditEntry.objects.count() == entries
    assert list(UnknownIdentifiantAttempts.objects.values_list("failed_count", flat=True)) == unknown_attempts
    # The page is the login page, ready for later.
    assert 'name="password"' in right.content.decode()


def test_successful_logins_do_not_count(client, secondary_account, password, settings):
    settings.LOGIN_FAILURES_PER_IP = 2
    for _ in range(3):
        assert log_in(client, "test.identifiant", password).url == "/"
        client.post("/deconnexion/")
    fail_logins_on_unknown_identifiants(client, 2)

    assert log_in(client, "test.identifiant", password).status_code == 429


def test_failed_logins_count_across_accounts(client, secondary_account, second_secondary_account, settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    log_in(client, "test.identifiant", WRONG_PASSWORD)
    log_in(client, "8wwapv3bzk", WRONG_PASSWORD)
    log_in(client, "inconnu", WRONG_PASSWORD)

    assert log_in(client, "8wwapv3bzk", WRONG_PASSWORD).status_code == 429
    assert User.objects.get(pk=second_secondary_account.pk).failed_login_count == 1


def test_another_address_is_not_limited(client, secondary_account, password):
    fail_logins_on_unknown_identifiants(client, 20)
    assert log_in(client, "test.identifiant", password).status_code == 429

    other = Client(REMOTE_ADDR=OTHER_ADDRESS)
    assert log_in(other, "test.identifiant", password).url == "/"
    assert is_logged_in(other)


def test_limited_address_logs_in_again_once_the_window_is_over(
    client, secondary_account, password, settings, time_machine
):
    settings.LOGIN_FAILURES_PER_IP = 1
    time_machine.move_to(time.time(), tick=False)
    fail_logins_on_unknown_identifiants(client, 1)
    assert log_in(client, "test.identifiant", password).status_code == 429

    time_machine.shift(settings.IP_THROTTLE_WINDOW_SECONDS - 1)
    assert log_in(client, "test.identifiant", password).status_code == 429
    time_machine.shift(1)

    assert log_in(client, "test.identifiant", password).url == "/"


# Génération de mot de passe, Identifiant oublié


def generation_details(account):
    return {
        "identifiant": account.identifiant,
        "last_name": account.last_name,
        "first_name": account.first_name,
        "email": account.email,
    }


def reminder_details(account):
    return {"last_name": account.last_name, "first_name": account.first_name, "email": account.email}


PAGES = [
    pytest.param("/generation-mot-de-passe/", generation_details, "password_link_requested", id="generation"),
    pytest.param("/identifiant-oublie/", reminder_details, "identifiant_reminded", id="identifiant_oublie"),
]


@pytest.mark.parametrize(("url", "details", "action"), PAGES)
def test_ten_requests_are_served_the_eleventh_is_refused(client, mailbox, secondary_account, url, details, action):
    for _ in range(10):
        response = client.post(url, details(secondary_account))
        assert response.status_code == 200
        assert "Si les informations saisies correspondent à un compte actif" in read_page(response).text
    # What a match triggers is done by the worker (accounts.services.send_password_link_task).
    run_worker_until_idle()
    assert AuditEntry.objects.filter(account=secondary_account, action=action).count() == 10
    links_before = PasswordLink.objects.count()

    response = client.post(url, details(secondary_account))
    run_worker_until_idle()

    assert response.status_code == 429
    assert error_text(response) == TOO_MANY
    assert 'name="last_name"' in response.content.decode()
    assert AuditEntry.objects.filter(account=secondary_account, action=action).count() == 10
    assert PasswordLink.objects.count() == links_before


@pytest.mark.parametrize(("url", "details", "action"), PAGES)
def test_requests_from_another_address_are_still_served(client, mailbox, secondary_account, url, details, action):
    for _ in range(10):
        client.post(url, details(secondary_account))
    assert client.post(url, details(secondary_account)).status_code == 429

    response = Client(REMOTE_ADDR=OTHER_ADDRESS).post(url, details(secondary_account))
    run_worker_until_idle()

    assert response.status_code == 200
    assert AuditEntry.objects.filter(account=secondary_account, action=action).count() == 11


def test_each_page_has_its_own_count(client, secondary_account):
    for _ in range(10):
        client.post("/generation-mot-de-passe/", generation_details(secondary_account))

    assert client.post("/identifiant-oublie/", reminder_details(secondary_account)).status_code == 200


def test_displaying_the_page_does_not_count(client, db):
    for _ in range(11):
        assert client.get("/generation-mot-de-passe/").status_code == 200

    assert client.post("/generation-mot-de-passe/", {}).status_code == 200


# One-time links


def test_tokens_tried_past_the_limit_are_not_even_looked_up(client, secondary_account):
    token = links.mint_token(links.issue_link(secondary_account))
    for number in range(10):
        assert client.get(f"/acces/devine-{number}/").status_code == 404

    response = client.get(f"/acces/{token}/")

    assert response.status_code == 429
    assert TOO_MANY in read_page(response).text
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The valid link was neither used nor moved into the session.
    assert client.get("/acces/").status_code == 404
    assert PasswordLink.objects.filter(user=secondary_account).count() == 1


def test_valid_link_still_works_from_another_address_and_under_the_limit(client, secondary_account):
    token = links.mint_token(links.issue_link(secondary_account))
    for number in range(10):
        client.get(f"/acces/devine-{number}/")
    assert client.get(f"/acces/{token}/").status_code == 429

    other = Client(REMOTE_ADDR=OTHER_ADDRESS)
    for number in range(9):
        other.get(f"/acces/devine-{number}/")
    assert other.get(f"/acces/{token}/").status_code == 302
    assert other.post("/acces/").url == "/mon-compte/modifications/"
    assert other.session["_auth_user_id"] == str(secondary_account.pk)


# Counting


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        ("10.0.0.1", "10.0.0.1", True),
        ("10.0.0.1", "10.0.0.2", False),
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", True),
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("::ffff:10.0.0.1", "10.0.0.1", True),
    ],
)
def test_an_address_is_counted_by_its_ip_or_its_ipv6_64(first, second, shared):
    factory = RequestFactory()
    first_request = factory.get("/", REMOTE_ADDR=first)
    second_request = factory.get("/", REMOTE_ADDR=second)

    throttling.hit(throttling.LOGIN_FAILURES, first_request)

    assert throttling.count(throttling.LOGIN_FAILURES, second_request) == (1 if shared else 0)


def test_hits_add_up_in_the_cache():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3")

    counts = [throttling.hit(throttling.PASSWORD_LINK, request) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert throttling.count(throttling.PASSWORD_LINK, request) == 3


def test_the_cache_is_empty_at_the_start_of_each_test():
    # test_hits_add_up_in_the_cache left 3 here.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3")

    assert throttling.count(throttling.PASSWORD_LINK, request) == 0
