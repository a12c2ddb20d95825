from contextlib import contextmanager

import pytest
from django.db.models import Max
from django.utils import timezone

from audit.models import SYSTEM, AuditEntry


@pytest.fixture
def recorded(db):
    """`with recorded() as entries:` the audit entries written inside the block, oldest first."""

    @contextmanager
    def watch():
        mark = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
        entries = []
        yield entries
        entries.extend(AuditEntry.objects.filter(pk__gt=mark).order_by("pk"))

    return watch


@pytest.fixture
def add_entry(db):
    """`add_entry(account, action=..., at=..., actor=..., ...)`: an entry as an
    action would have written it, at any date, for the history's tests."""

    def add(account, *, action=AuditEntry.Action.LOGIN_SUCCEEDED, at=None, actor=None, changes=None, ip="10.0.0.1"):
        return AuditEntry.objects.create(
            at=at or timezone.now(),
            action=action,
            account=account,
            account_name=account.civil_name,
            organisme_id=account.organisme_id,
            actor=actor,
            actor_name=actor.civil_name if actor else "",
            actor_kind=actor.kind if actor else SYSTEM,
            changes=changes or {},
            ip_address=ip,
        )

    return add
