"""Who else of the organisme has a BDC page open: a hint shown to each
viewer, not a lock (core.versioning is what keeps edits from being lost).

Kept in the cache, one small dict per action: account id -> (name,
organisme id, first seen, last seen). Two viewers arriving at the same
instant may overwrite each other's entry; the next page view restores it,
which is good enough for a hint.
"""

import datetime

from django.core.cache import cache
from django.utils import timezone

WINDOW = datetime.timedelta(minutes=5)


def _key(action):
    return f"training:action-viewers:{action.pk}"


def note_viewer(action, account, now=None):
    """Record that `account` opens the action's page; return the other accounts
    of its organisme seen there in the last five minutes, as (name, since)."""
    now = now or timezone.now()
    viewers = {
        account_id: entry for account_id, entry in cache.get(_key(action), {}).items() if now - entry[3] <= WINDOW
    }
    others = [
        (name, first_seen)
        for account_id, (name, organisme_id, first_seen, _last_seen) in viewers.items()
        if account_id != account.pk and organisme_id is not None and organisme_id == account.organisme_id
    ]
    if account.organisme_id is not None:
        previous = viewers.get(account.pk)
        first_seen = previous[2] if previous else now
        viewers[account.pk] = (
            f"{account.first_name} {account.last_name}".strip(),
            account.organisme_id,
            first_seen,
            now,
        )
    cache.set(_key(action), viewers, timeout=int(WINDOW.total_seconds()))
    return sorted(others, key=lambda other: other[1])
