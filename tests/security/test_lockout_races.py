"""Parallel attempts against the lockout and the per-IP limit (issue 14, F1):
many browsers at once, each a test client in its own thread and database
connection, released together, on SQLite (a database file, as in development)
as on PostgreSQL. Each decision on an account is taken under its lock, so
that however many requests arrive at once, at most three wrong passwords or
codes are ever checked per lockout cycle, a blocked account never logs in, and
a code or one-time link lets in one request only."""

import random

import pytest
from django.test import Client

from accounts import two_factor
from accounts.models import UnknownIdentifiantAttempts, User
from audit.models import AuditEntry
from tests.concurrency import database_shared_by_threads, run_at_once
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import code_of, wrong_code_of

pytestmark = pytest.mark.django_db(transaction=True)

WRONG_PASSWORD = "Mauvais-Secret-2026!"
CODE_STEP = "/connexion/code/"


def rounds(count):
    """The race run `count` times, each a new draw of how the threads interleave:
    the first round in `make test-fast`, the repeats (more chances to catch a rare
    interleaving) marked slow, so in `make test` only."""
    return [0, *(pytest.param(number, marks=pytest.mark.slow) for number in range(1, count))]


@pytest.fixture
def at_once(tmp_path):
    """`at_once(*requests)`: send each request (a function of nothing) in its
    own thread, all released together; return their responses. None may fail."""

    def send(*requests):
        # One request first, so that the parallel ones find the site loaded.
        Client().get("/connexion/")
        with database_shared_by_threads(tmp_path):
            outcomes = run_at_once(*requests, timeout=120)
        errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
        assert not errors, errors
        assert all(response.status_code < 500 for response in outcomes)
        return outcomes

    return send


@pytest.fixture(autouse=True)
def _no_ip_limit(settings):
    # Every thread comes from 127.0.0.1: the per-IP limit is under test only where said.
    settings.LOGIN_FAILURES_PER_IP = 1000


def login_attempt(identifiant, password, client=None):
    return lambda: (client or Client()).post("/connexion/", {"identifiant": identifiant, "password": password})


def replay_trail(account):
    """Go through the account's audit trail in order as the lockout rule says
    it must have happened, and return (blocked, consecutive failures)."""
    failures, blocked = 0, False
    trail = AuditEntry.objects.filter(account=account).order_by("pk").values_list("action", "changes")
    for action, changes in trail:
        if action == AuditEntry.Action.LOGIN_SUCCEEDED:
            assert not blocked, "a blocked account logged in"
            failures = 0
        elif action == AuditEntry.Action.LOGIN_FAILED and changes["reason"] in ("wrong_password", "wrong_code"):
            assert not blocked, "a password or code was checked on a blocked account"
            failures += 1
            assert failures <= 3, "more than three wrong attempts were checked"
        elif action == AuditEntry.Action.ACCOUNT_BLOCKED:
            assert failures == 3
            blocked = True
    return blocked, failures


@pytest.mark.parametrize("round_", rounds(6))
def test_wrong_and_right_passwords_at_once_never_beat_the_lockout(at_once, secondary_account, round_):
    attempts = [login_attempt("test.identifiant", WRONG_PASSWORD) for _ in range(4)]
    position = random.randrange(5)
    attempts.insert(position, login_attempt("test.identifiant", PASSWORD))

    responses = at_once(*attempts)

    account = User.objects.get(pk=secondary_account.pk)
    blocked, failures = replay_trail(account)
    # The stored state is the trail's: no count reset from a stale value.
    assert (account.is_blocked, account.failed_login_count) == (blocked, failures)
    logged_in = AuditEntry.objects.filter(account=account, action=AuditEntry.Action.LOGIN_SUCCEEDED).exists()
    assert (responses[position].status_code == 302) == logged_in
    if blocked and not logged_in:
        # The right password came after the block: refused, as any would be.
        assert "bloqué" in responses[position].content.decode()


@pytest.mark.parametrize("round_", rounds(6))
def test_a_burst_of_wrong_passwords_checks_three_and_blocks_once(at_once, secondary_account, round_):
    at_once(*[login_attempt("test.identifiant", WRONG_PASSWORD)] * 8)

    account = User.objects.get(pk=secondary_account.pk)
    assert replay_trail(account) == (True, 3)
    assert (account.is_blocked, account.failed_login_count) == (True, 3)
    assert AuditEntry.objects.filter(account=account, action=AuditEntry.Action.ACCOUNT_BLOCKED).count() == 1


@pytest.mark.parametrize("round_", rounds(3))
def test_a_parallel_burst_from_one_address_checks_no_more_than_its_limit(at_once, settings, db, round_):
    settings.LOGIN_FAILURES_PER_IP = 5

    responses = at_once(*[login_attempt(f"inconnu.{number}", WRONG_PASSWORD) for number in range(9)])

    checked = sum(UnknownIdentifiantAttempts.objects.values_list("failed_count", flat=True))
    assert checked == 5
    assert sorted(response.status_code for response in responses) == [200] * 5 + [429] * 4


def waiting_for_code(identifiant):
    """A browser whose password was right, at the login's second step."""
    browser = Client()
    assert login_attempt(identifiant, PASSWORD, browser)().url == CODE_STEP
    return browser


def code_attempt(browser, code):
    return lambda: browser.post(CODE_STEP, {"code": code})


@pytest.mark.parametrize("round_", rounds(3))
def test_one_app_code_sent_by_three_browsers_at_once_lets_one_in(at_once, organisme, round_):
    account = UserFactory(organisme=organisme, identifiant="avec.application", second_factor=True)
    browsers = [waiting_for_code("avec.application") for _ in range(3)]
    code = code_of(account)

    responses = at_once(*[code_attempt(browser, code) for browser in browsers])

    assert sorted(response.status_code for response in responses) == [200, 200, 302]
    assert AuditEntry.objects.filter(account=account, action=AuditEntry.Action.LOGIN_SUCCEEDED).count() == 1
    assert replay_trail(User.objects.get(pk=account.pk)) == (False, 2)


@pytest.mark.parametrize("round_", rounds(3))
def test_one_recovery_code_sent_by_three_browsers_at_once_lets_one_in(at_once, organisme, round_):
    account = UserFactory(organisme=organisme, identifiant="avec.codes", second_factor=True)
    two_factor.install_known_second_factor(account, key="00" * 20, recovery_codes=["abcd-efgh-jkmn"])
    browsers = [waiting_for_code("avec.codes") for _ in range(3)]

    responses = at_once(*[code_attempt(browser, "abcd-efgh-jkmn") for browser in browsers])

    assert sorted(response.status_code for response in responses) == [200, 200, 302]
    assert AuditEntry.objects.filter(account=account, action=AuditEntry.Action.LOGIN_SUCCEEDED).count() == 1
    assert two_factor.remaining_recovery_codes(account) == 0


@pytest.mark.parametrize("round_", rounds(3))
def test_wrong_codes_at_once_never_beat_the_lockout_of_the_code_step(at_once, organisme, round_):
    account = UserFactory(organisme=organisme, identifiant="avec.application", second_factor=True)
    browsers = [waiting_for_code("avec.application") for _ in range(5)]
    position = random.randrange(5)
    codes = [wrong_code_of(account)] * 5
    codes[position] = code_of(account)

    responses = at_once(*[code_attempt(browser, code) for browser, code in zip(browsers, codes, strict=True)])

    account = User.objects.get(pk=account.pk)
    blocked, failures = replay_trail(account)
    assert (account.is_blocked, account.failed_login_count) == (blocked, failures)
    logged_in = AuditEntry.objects.filter(account=account, action=AuditEntry.Action.LOGIN_SUCCEEDED).exists()
    assert (responses[position].status_code == 302 and responses[position].url == "/") == logged_in


@pytest.mark.parametrize("round_", rounds(3))
def test_one_time_link_confirmed_by_three_browsers_at_once_lets_one_in(at_once, secondary_account, mailbox, round_):
    path = _password_link(secondary_account, mailbox)
    browsers = [Client() for _ in range(3)]
    for browser in browsers:
        assert browser.get(path).status_code == 302

    responses = at_once(*[lambda browser=browser: browser.post("/acces/") for browser in browsers])

    assert sorted(response.status_code for response in responses) == [302, 404, 404]
    assert (
        AuditEntry.objects.filter(account=secondary_account, action=AuditEntry.Action.PASSWORD_LINK_USED).count() == 1
    )


def _password_link(account, mailbox):
    Client().post(
        "/generation-mot-de-passe/",
        {
            "identifiant": account.identifiant,
            "last_name": account.last_name,
            "first_name": account.first_name,
            "email": account.email,
        },
    )
    (link,) = [link for link in mailbox.links(mailbox.last_to(account.email)) if "/acces/" in link]
    return "/acces/" + link.split("/acces/")[1]
