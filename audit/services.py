from typing import Any

from audit.context import current_ip_address
from audit.models import SYSTEM, AuditEntry


def record(
    action: str,
    *,
    account: Any,
    acting_account: Any = None,
    changes: dict[str, Any] | None = None,
    organisme: Any = None,
) -> AuditEntry:
    """Write one audit entry; call it inside the action's transaction, so that
    the change and its entry are committed together or not at all."""
    return AuditEntry.objects.create(
        action=action,
        account=account,
        account_name=account.civil_name if account else "",
        organisme_id=organisme.pk if organisme else (account.organisme_id if account else None),
        actor=acting_account,
        actor_name=acting_account.civil_name if acting_account else "",
        actor_kind=acting_account.kind if acting_account else SYSTEM,
        changes=changes or {},
        ip_address=current_ip_address.get(),
    )
