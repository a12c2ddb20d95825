"""The session store (settings.SESSION_ENGINE): Django's database store, but
a session is written once per request where Django writes a login's twice.

Django's store writes a new session as soon as it has a key, to reserve the
key, and SessionMiddleware writes it again at the end of the request (the only
place that sets the cookie) with whatever the request added. Here the INSERT
that first writes the session is what reserves its key, and a save that finds
the session as this request last wrote it writes nothing: a login writes its
session once, in its own transaction (accounts.sign_in.sign_in).

A signed-in session also has its row in AccountSession (Mes sessions), keyed
by key_digest(). The store reads the session and whether its row still exists
in one query; a session whose row was deleted (signed out from another
device, by its manager or by the Région) loads empty, so its user is signed
out, and `ended_elsewhere` tells the middleware to say why.
"""

import copy

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.db.models import Exists
from django.utils import timezone
from django.utils.crypto import get_random_string, salted_hmac

from accounts.models import AccountSession

# In the data of a session that has its AccountSession row.
RECORDED_KEY = "sigma_session_recorded"


def key_digest(session_key: str) -> str:
    """The AccountSession key of a session: an HMAC of its key, so that the
    table does not hold keys that would sign anyone in."""
    return salted_hmac("sigma.session-key", session_key, algorithm="sha256").hexdigest()


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        # A key given by create() and not yet written.
        self._key_unwritten = False
        # The key and data as this request last wrote them. Never what was
        # read: the save at the end of a request also pushes back its expiry.
        self._written = None
        # Set by load() when the session's AccountSession row is gone.
        self.ended_elsewhere = False

    def _get_session_from_db(self):
        """The session, with `recorded`: whether its AccountSession row exists."""
        if not self.session_key:
            return None
        try:
            return self.model.objects.annotate(
                recorded=Exists(AccountSession.objects.filter(key_digest=key_digest(self.session_key)))
            ).get(session_key=self.session_key, expire_date__gt=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    def load(self):
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        if data.get(RECORDED_KEY) and not stored.recorded:
            self.ended_elsewhere = True
            self._session_key = None
            return {}
        return data

    def cycle_key(self):
        """A new key for the same session (at login, and when a password
        changes): its AccountSession row follows it."""
        old_key = self.session_key
        recorded = bool(self.get(RECORDED_KEY))
        super().cycle_key()
        new_key = self.session_key
        if old_key and new_key and recorded:
            AccountSession.objects.filter(key_digest=key_digest(old_key)).update(key_digest=key_digest(new_key))

    def create(self):
        # Not checked unused beforehand (a query): 32 random characters never
        # collide in practice, and the INSERT would refuse it if they did.
        self._session_key = get_random_string(32, VALID_KEY_CHARS)
        self._key_unwritten = True
        self.modified = True

    def save(self, must_create=False):
        if self.session_key is None:
            self.create()
        if self._key_unwritten:
            self._insert()
        elif must_create or self._state() != self._written:
            super().save(must_create=must_create)
        else:
            return
        self._written = copy.deepcopy(self._state())

    def _insert(self):
        while True:
            try:
                super().save(must_create=True)
            except CreateError:
                self._session_key = get_random_string(32, VALID_KEY_CHARS)
            else:
                self._key_unwritten = False
                return

    def _state(self):
        return self.session_key, self._get_session(no_load=self._key_unwritten)  # type: ignore[attr-defined]

    # sigma runs under WSGI; these keep the store consistent if called anyway.
    async def acreate(self):
        await sync_to_async(self.create)()

    async def asave(self, must_create=False):
        await sync_to_async(self.save)(must_create)
