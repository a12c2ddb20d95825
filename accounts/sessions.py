"""The session store (settings.SESSION_ENGINE): Django's database store, but
a session is written once per request where Django writes a login's twice.

Django's store writes a new session as soon as it has a key, to reserve the
key, and SessionMiddleware writes it again at the end of the request (the only
place that sets the cookie) with whatever the request added. Here the INSERT
that first writes the session is what reserves its key, and a save that finds
the session as this request last wrote it writes nothing: a login writes its
session once, in its own transaction (accounts.services._complete_login).
"""

import copy

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        # A key given by create() and not yet written.
        self._key_unwritten = False
        # The key and data as this request last wrote them. Never what was
        # read: the save at the end of a request also pushes back its expiry.
        self._written = None

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
