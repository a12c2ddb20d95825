from typing import Any

from audit.context import current_ip_address
from audit.models import SYSTEM, AuditEntry


def record(
    action: str, *, account: Any, actor: Any = None, changes: dict[str, Any] | None = None, organisme: Any = None
) -> AuditEntry:
    """Write one audit entry; call it inside the action's transaction, so that
    the change and its entry are committed together or not at all."""
    return AuditEntry.objects.create(
        action=action,
        account=account,
        account_name=account.civil_name if account else "",
        organisme_id=organisme.pk if organisme else (account.organisme_id if account else None),
        actor=actor,
        actor_name=actor.civil_name if actor else "",
        actor_kind=actor.kind if actor else SYSTEM,
        changes=changes or {},
        ip_address=current_ip_address.get(),
    )
