from audit.models import AuditEntry


def record(action, *, account, actor=None, changes=None):
    """Write one audit entry; call it inside the action's transaction."""
    return AuditEntry.objects.create(
        action=action,
        account=account,
        account_name=account.civil_name if account else "",
        organisme_id=account.organisme_id if account else None,
        actor=actor,
        actor_name=actor.civil_name if actor else "",
        changes=changes or {},
    )
