"""RGPD: entries are kept AUDIT_RETENTION_DAYS (one year by default), then
`manage.py purge_audit` removes them; nothing else ever does."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry


def purge(*args):
    out = StringIO()
    call_command("purge_audit", *args, stdout=out)
    return out.getvalue().strip()


def days_ago(days, hours=0):
    return timezone.now() - timedelta(days=days, hours=hours)


def cutoff_text(days):
    return f"{timezone.localtime(timezone.now() - timedelta(days=days)):%d/%m/%Y}"


@pytest.fixture
def entries_aged(add_entry, secondary_account):
    """`entries_aged(*ages)`: one entry per age, given as (days, hours) ago."""

    def add(*ages):
        return [add_entry(secondary_account, at=days_ago(days, hours)) for days, hours in ages]

    return add


def remaining(entries):
    return [entry for entry in entries if AuditEntry.objects.filter(pk=entry.pk).exists()]


def test_retention_is_one_year_by_default(settings):
    assert settings.AUDIT_RETENTION_DAYS == 365


def test_purge_removes_entries_older_than_one_year_by_default(entries_aged):
    old, just_old, just_young, recent = entries_aged((400, 0), (365, 1), (364, 23), (1, 0))

    message = purge()

    assert remaining([old, just_old, just_young, recent]) == [just_young, recent]
    assert message.startswith(f"2 événements antérieurs au {cutoff_text(365)}")
    assert message.endswith("ont été supprimés.")


def test_purge_follows_the_configured_retention(settings, entries_aged):
    settings.AUDIT_RETENTION_DAYS = 30
    old, young = entries_aged((31, 0), (29, 0))

    message = purge()

    assert remaining([old, young]) == [young]
    assert message.startswith(f"1 événement antérieur au {cutoff_text(30)}")
    assert message.endswith("a été supprimé.")


def test_days_option_overrides_the_setting(settings, entries_aged):
    settings.AUDIT_RETENTION_DAYS = 365
    old, young = entries_aged((91, 0), (89, 0))

    purge("--days", "90")

    assert remaining([old, young]) == [young]


def test_dry_run_counts_without_deleting(entries_aged):
    entries = entries_aged((400, 0), (500, 0), (10, 0))

    message = purge("--dry-run")

    assert remaining(entries) == entries
    assert re.fullmatch(
        rf"2 événements antérieurs au {re.escape(cutoff_text(365))} \d\d:\d\d seraient supprimés ; "
        r"rien n’a été supprimé\.",
        message,
    )


def test_nothing_to_purge_says_so(entries_aged):
    entries = entries_aged((1, 0))

    message = purge()

    assert remaining(entries) == entries
    assert message.startswith("0 événement")


@pytest.mark.parametrize("days", ["0", "-5"])
def test_a_retention_under_one_day_is_refused(days, entries_aged):
    entries = entries_aged((2, 0))

    with pytest.raises(CommandError, match="La durée de conservation doit être d’au moins un jour"):
        purge("--days", days)

    assert remaining(entries) == entries


def test_the_purge_leaves_accounts_alone(entries_aged, secondary_account, primary_account):
    entries_aged((400, 0))

    purge()

    assert User.objects.filter(pk__in=[secondary_account.pk, primary_account.pk]).count() == 2


def test_entries_are_still_never_deleted_one_by_one(entries_aged):
    (old,) = entries_aged((400, 0))

    with pytest.raises(RuntimeError):
        old.delete()

    assert remaining([old]) == [old]
