"""A world made once for a whole test file, for the files of hundreds of
tests that each need the same organismes and accounts (as Django's
setUpTestData would): made in a transaction rolled back at the file's end,
each test's own transaction a savepoint within it, so that each test starts
from the world as made whatever the tests before it changed.

Its accounts are signed in once too (tests/two_factor.py): a test opening one
of their browsers gets that session as the sign-in left it, its own requests'
changes to it undone with the rest."""

import contextlib
import copy
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.test import Client

from tests import guide_accounts
from tests.two_factor import log_in_verified


@contextlib.contextmanager
def made_once_per_module(django_db_blocker):
    """Around what a module-scoped fixture makes and yields."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


class CopiedOnRead:
    """A test's view of the world (a SimpleNamespace, nested ones included):
    each object deep-copied when the test first reads it, as Django's
    setUpTestData does, so that no test sees another's changes to them and a
    test pays only for what it reads. One memo for the test: an object two
    attributes share stays one object in the copies."""

    def __init__(self, original, memo=None):
        self._original = original
        self._memo = {} if memo is None else memo

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._original, name)
        if isinstance(value, SimpleNamespace):
            value = CopiedOnRead(value, self._memo)
        else:
            value = copy.deepcopy(value, self._memo)
        # Read once: the next reads find it here, without __getattr__.
        setattr(self, name, value)
        return value


def sessions_of(*accounts):
    """{account pk: session key}, each account signed in once, from a browser of its own."""
    return {
        account.pk: log_in_verified(Client(), copy.copy(account)).cookies[settings.SESSION_COOKIE_NAME].value
        for account in accounts
    }


def signed_in(client, sessions, account):
    """`client` with `account`'s session from `sessions` (made for the file), or
    else signed in now. A file keeps sessions only for accounts its tests never
    change before signing in."""
    key = sessions.get(account.pk)
    if key is None:
        return log_in_verified(client, account)
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def guide_world():
    """The guide's two organismes with their accounts and the Région agent,
    and the sessions of the two comptes principaux and of the agent, which the
    permission files' tests never change before signing in (a secondary
    account signs in when a test asks). Called inside made_once_per_module."""
    organisme = guide_accounts.organisme()
    other_organisme = guide_accounts.other_organisme()
    world = SimpleNamespace(
        organisme=organisme,
        primary_account=guide_accounts.primary_account(organisme),
        secondary_account=guide_accounts.secondary_account(organisme),
        other_organisme=other_organisme,
        other_primary_account=guide_accounts.other_primary_account(other_organisme),
        other_secondary_account=guide_accounts.other_secondary_account(other_organisme),
        region_agent=guide_accounts.region_agent(),
    )
    world.sessions = sessions_of(world.primary_account, world.other_primary_account, world.region_agent)
    return world
