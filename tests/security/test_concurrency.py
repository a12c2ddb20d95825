"""Races through HTTP: many browsers at once, each a test client in its own
thread and database connection, released together. Only PostgreSQL runs
transactions truly in parallel; CI runs these there."""

import pytest
from django.db import connection
from django.test import Client

from accounts.models import HandoverProposal, User
from audit.models import AuditEntry
from tests.accounts.login import error_text
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.two_factor import log_in_verified

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time: races need PostgreSQL (DATABASE_URL=postgres://...); CI runs them",
    ),
    pytest.mark.django_db(transaction=True),
]

WRONG_PASSWORD = "Mauvais-Secret-2026!"


def at_once(*requests):
    """Send each request (a function of nothing) in its own thread, all released
    together; return their responses, re-raising the first error."""
    outcomes = run_at_once(*requests, timeout=120)
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    if errors:
        raise errors[0]
    assert all(response.status_code < 500 for response in outcomes)
    return outcomes


def login_attempt(identifiant, password):
    return lambda: Client().post("/connexion/", {"identifiant": identifiant, "password": password})


@pytest.fixture(autouse=True)
def _no_ip_limit(settings):
    # Every thread comes from 127.0.0.1: the per-IP limit is not under test here.
    settings.LOGIN_FAILURES_PER_IP = 1000


def test_twenty_parallel_wrong_logins_block_the_account_with_exactly_three_failures(secondary_account):
    responses = at_once(*[login_attempt("test.identifiant", WRONG_PASSWORD)] * 20)

    account = User.objects.get(pk=secondary_account.pk)
    assert account.is_blocked
    assert account.failed_login_count == 3
    # Every attempt was counted and recorded, none lost; the account was blocked once.
    assert AuditEntry.objects.filter(account=account, action=AuditEntry.Action.LOGIN_FAILED).count() == 20
    assert AuditEntry.objects.filter(account=account, action=AuditEntry.Action.ACCOUNT_BLOCKED).count() == 1
    assert all(response.status_code == 200 for response in responses)


def test_parallel_wrong_logins_on_an_unknown_identifiant_answer_like_a_real_account(secondary_account):
    known = at_once(*[login_attempt("test.identifiant", WRONG_PASSWORD)] * 10)
    unknown = at_once(*[login_attempt("personne.inconnue", WRONG_PASSWORD)] * 10)

    assert sorted(map(error_text, known)) == sorted(map(error_text, unknown))


def test_unblocking_while_the_user_logs_in_leaves_the_account_unblocked_with_no_stale_count(primary_account, password):
    blocked = UserFactory(organisme=primary_account.organisme, identifiant="compte.bloque", blocked=True)
    manager = log_in_verified(Client(), primary_account)

    responses = at_once(
        lambda: manager.post(f"/organisme/comptes/{blocked.pk}/debloquer/"),
        *[login_attempt("compte.bloque", password)] * 5,
    )

    assert responses[0].status_code == 302
    account = User.objects.get(pk=blocked.pk)
    assert (account.is_blocked, account.failed_login_count) == (False, 0)
    assert AuditEntry.objects.filter(account=account, action=AuditEntry.Action.ACCOUNT_UNBLOCKED).count() == 1
    # Each login was either let in (after the unblock), with its entry in the trail,
    # or refused as blocked (before it), saying so.
    let_in = [login for login in responses[1:] if login.status_code == 302]
    refused = [login for login in responses[1:] if login.status_code != 302]
    succeeded = AuditEntry.objects.filter(account=account, action=AuditEntry.Action.LOGIN_SUCCEEDED)
    assert succeeded.count() == len(let_in)
    assert all(login.status_code == 200 and "bloqué" in login.content.decode() for login in refused)


def test_unblocking_while_wrong_passwords_arrive_never_loses_a_count(primary_account):
    blocked = UserFactory(organisme=primary_account.organisme, identifiant="compte.bloque", blocked=True)
    manager = log_in_verified(Client(), primary_account)

    at_once(
        lambda: manager.post(f"/organisme/comptes/{blocked.pk}/debloquer/"),
        *[login_attempt("compte.bloque", WRONG_PASSWORD)] * 6,
    )

    account = User.objects.get(pk=blocked.pk)
    counted_after_unblock = AuditEntry.objects.filter(
        account=account,
        action=AuditEntry.Action.LOGIN_FAILED,
        changes__reason="wrong_password",
    ).count()
    # A wrong password counts only on an unblocked account: each counted one is in the count, capped at the block.
    assert account.failed_login_count == min(counted_after_unblock, 3)
    assert account.is_blocked == (counted_after_unblock >= 3)


def test_parallel_handovers_of_the_primary_role_leave_exactly_one_primary_account(
    organisme, primary_account, secondary_account, second_secondary_account, region_agent
):
    agents = [log_in_verified(Client(), region_agent) for _ in range(2)]
    proposal_target = UserFactory(organisme=organisme, identifiant="collegue.propose")
    manager = log_in_verified(Client(), primary_account)
    manager.post(f"/organisme/comptes/{proposal_target.pk}/proposer-compte-principal/")
    colleague = log_in_verified(Client(), proposal_target)
    proposal_pk = HandoverProposal.objects.get(organisme=organisme).pk

    at_once(
        lambda: agents[0].post(
            f"/region/organismes/{organisme.pk}/transfert/",
            {"new_primary": secondary_account.pk, "former_primary_becomes": "secondary"},
        ),
        lambda: agents[1].post(
            f"/region/organismes/{organisme.pk}/transfert/",
            {"new_primary": second_secondary_account.pk, "former_primary_becomes": "deactivated"},
        ),
        lambda: colleague.post(f"/proposition-compte-principal/{proposal_pk}/accepter/"),
    )

    primaries = User.objects.alive().filter(organisme=organisme, kind=User.Kind.PRIMARY)
    assert primaries.count() == 1
    assert primaries.get().pk in (secondary_account.pk, second_secondary_account.pk, proposal_target.pk)
    assert not HandoverProposal.objects.filter(organisme=organisme).exists()
