"""The signed-in sessions of an account (Mes sessions): AccountSession rows,
one per session, ended by deleting the row (accounts.sessions)."""

from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import AccountSession, User


def open_sessions(account: User) -> QuerySet[AccountSession]:
    return AccountSession.objects.open().filter(account=account)


def with_open_session_count(accounts: QuerySet[User]) -> QuerySet[User]:
    """`accounts` annotated with `open_session_count`, for lists (one query)."""
    counts = (
        AccountSession.objects.open()
        .filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return accounts.annotate(open_session_count=Coalesce(Subquery(counts), Value(0)))


def open_session_count(account: User) -> int:
    count = getattr(account, "open_session_count", None)
    return open_sessions(account).count() if count is None else count


def forget_sessions(account: User, *, keep: str | None = None) -> int:
    """Drop the rows of the account's sessions (but the one whose key digest
    is `keep`): called where they end anyway (the account blocked,
    deactivated, deleted, its password or rights changed), and what ends them
    when someone signs them out. Returns how many were open."""
    sessions = AccountSession.objects.filter(account=account)
    if keep:
        sessions = sessions.exclude(key_digest=keep)
    deleted, _ = sessions.delete()
    return deleted
