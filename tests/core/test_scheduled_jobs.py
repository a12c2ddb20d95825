"""The scheduled jobs: purge_password_links on its own, and run_scheduled_jobs,
the one command cron runs every 15 minutes (README), which reactivates the
accounts whose date has come and runs both purges."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts import links, services
from accounts.models import PasswordLink, UnknownIdentifiantAttempts, User
from audit.models import AuditEntry
from audit.services import record
from outbox.models import OutgoingEmail


def run(command, *args):
    """The command's output; what it wrote on stderr is shown if it fails."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except Exception:
        print(err.getvalue())
        raise
    return out.getvalue()


@pytest.fixture
def expired_link(secondary_account):
    links.issue_link(secondary_account)
    PasswordLink.objects.filter(user=secondary_account).update(expires_at=timezone.now() - timedelta(minutes=1))
    return PasswordLink.objects.get(user=secondary_account)


@pytest.fixture
def live_link(second_secondary_account):
    links.issue_link(second_secondary_account)
    return PasswordLink.objects.get(user=second_secondary_account)


def attempts(days_ago, digest):
    return UnknownIdentifiantAttempts.objects.create(
        identifiant_digest=digest, failed_count=3, last_attempt_at=timezone.now() - timedelta(days=days_ago)
    )


def test_purge_deletes_expired_links_only(expired_link, live_link):
    output = run("purge_password_links")
    assert list(PasswordLink.objects.all()) == [live_link]
    assert "1 lien(s) expiré(s)" in output


def test_purge_deletes_unknown_identifiant_counts_after_30_days_of_silence(db):
    stale, recent = attempts(31, "a" * 64), attempts(29, "b" * 64)
    output = run("purge_password_links")
    assert list(UnknownIdentifiantAttempts.objects.all()) == [recent]
    assert not UnknownIdentifiantAttempts.objects.filter(pk=stale.pk).exists()
    assert "1 compteur(s) d’identifiant inconnu" in output


def test_purge_retention_can_be_given(db):
    attempts(10, "a" * 64)
    run("purge_password_links", "--days", "7")
    assert not UnknownIdentifiantAttempts.objects.exists()


def test_purge_refuses_a_retention_under_one_day(db):
    with pytest.raises(CommandError, match="au moins un jour"):
        run("purge_password_links", "--days", "0")


def test_purge_twice_changes_nothing_more(expired_link, live_link):
    run("purge_password_links")
    assert "0 lien(s) expiré(s) et 0 compteur(s)" in run("purge_password_links")
    assert PasswordLink.objects.count() == 1


def test_run_scheduled_jobs_runs_every_job(
    primary_account, secondary_account, second_secondary_account, expired_link, settings, mailbox
):
    services.deactivate_account(secondary_account, acting_account=None, until=timezone.localdate() + timedelta(days=1))
    User.objects.filter(pk=secondary_account.pk).update(deactivated_until=timezone.localdate())
    old_entry = record(AuditEntry.Action.LOGIN_FAILED, account=secondary_account)
    AuditEntry.objects.filter(pk=old_entry.pk).update(
        at=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 1)
    )
    attempts(31, "a" * 64)
    services.regenerate_password(second_secondary_account, acting_account=primary_account)
    # What a worker that died between its claim and the handover leaves behind.
    OutgoingEmail.objects.filter(to=second_secondary_account.email).update(
        status=OutgoingEmail.Status.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 1),
    )

    output = run("run_scheduled_jobs")

    secondary_account.refresh_from_db()
    assert secondary_account.is_active
    assert mailbox.to(secondary_account.email)
    assert not PasswordLink.objects.exists()
    assert not UnknownIdentifiantAttempts.objects.exists()
    assert not AuditEntry.objects.filter(pk=old_entry.pk).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_REACTIVATED_AUTOMATICALLY).exists()
    assert len(mailbox.to(second_secondary_account.email)) == 1
    for job in ("reactivate_accounts", "purge_password_links", "purge_audit", "recover_interrupted_emails"):
        assert job in output


def test_run_scheduled_jobs_again_changes_nothing(secondary_account, mailbox):
    services.deactivate_account(secondary_account, acting_account=None, until=timezone.localdate() + timedelta(days=1))
    User.objects.filter(pk=secondary_account.pk).update(deactivated_until=timezone.localdate())
    run("run_scheduled_jobs")
    entries = AuditEntry.objects.count()
    output = run("run_scheduled_jobs")
    assert "0 comptes ont été réactivés." in output or "0 compte a été réactivé." in output
    assert AuditEntry.objects.count() == entries
    assert len(mailbox.to(secondary_account.email)) == 1


def test_a_failing_job_does_not_stop_the_others_but_fails_the_run(expired_link):
    failing = mock.patch("accounts.services.reactivate_due_accounts", side_effect=RuntimeError("boom"))
    with failing, pytest.raises(CommandError, match="reactivate_accounts"):
        run("run_scheduled_jobs")
    assert not PasswordLink.objects.exists()
