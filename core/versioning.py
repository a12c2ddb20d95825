"""Optimistic concurrency: two people saving the same record never silently
lose data (the guide's section 3 warns the original platform does).

Every record edited through a form carries a version. A save names the
version it was based on; if someone saved in between, nothing is written and
the caller gets the record as it now stands, to show both sets of values.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone


class VersionedModel(models.Model):
    version = models.PositiveIntegerField("version", default=1, editable=False)
    updated_at = models.DateTimeField("modifié le", default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_by_name = models.CharField("modifié par", max_length=320, blank=True, editable=False)

    class Meta:
        abstract = True


# Sent after save_if_unchanged wrote `instance`: its UPDATE sends no post_save,
# and what depends on the record (the home page's counts) must still learn of it.
saved_if_unchanged = Signal()


class StaleEdit(Exception):
    """The record changed since the form was opened; `current` is how it now stands."""

    def __init__(self, current: Any) -> None:
        super().__init__(f"{type(current).__name__} {current.pk} changed since version was read")
        self.current = current


def save_if_unchanged[M: VersionedModel](
    instance: M, *, based_on_version: int, changes: dict[str, Any], acting_account: Any
) -> M:
    """Write `changes` on `instance` only if it is still at `based_on_version`.

    One conditional UPDATE: two parallel saves based on the same version cannot
    both succeed. Raises StaleEdit with the stored record otherwise.
    """
    model = type(instance)
    now = timezone.now()
    actor_name = acting_account.full_name if acting_account else ""
    updated = model._default_manager.filter(pk=instance.pk, version=based_on_version).update(
        **changes,
        version=F("version") + 1,
        updated_at=now,
        updated_by=acting_account,
        updated_by_name=actor_name,
    )
    if not updated:
        raise StaleEdit(model._default_manager.get(pk=instance.pk))
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.version = based_on_version + 1
    instance.updated_at, instance.updated_by, instance.updated_by_name = now, acting_account, actor_name
    saved_if_unchanged.send(sender=model, instance=instance)
    return instance
