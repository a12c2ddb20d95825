"""What a login costs the database (issue 8: logins per second against the
Argon2id rate): the statements it runs, and one commit for everything it
writes, the new session included."""

import contextlib
import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connections
from django.test import Client

from accounts.middleware import LOGIN_AT_KEY
from accounts.sessions import SessionStore
from tests.accounts.login import is_logged_in, log_in
from tests.factories import UserFactory
from tests.two_factor import code_of

# A primary account without a second factor, its organisme not requiring one
# (transaction control statements aside).
SUCCESSFUL_LOGIN = [
    # The account, its organisme and whether it has a second factor.
    "SELECT accounts_user",
    "INSERT audit_auditentry",
    "UPDATE accounts_user",
    # Its row in Mes sessions, then the new session as the user_logged_in
    # receivers left it.
    "INSERT accounts_accountsession",
    "INSERT django_session",
]


class Recorded:
    """The statements run meanwhile, and the transaction each write was
    committed in (numbered by the commits before it); a write outside any
    atomic block commits on its own."""

    def __init__(self, connection):
        self.connection = connection
        self.statements = []
        self.writes = []
        self.commits = 0

    def __call__(self, execute, sql, params, many, context):
        verb = sql.split(None, 1)[0].upper()
        if verb in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            # The statement's table: the first one named, columns included.
            table = next(name for name in re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"|"(\w+)"\.', sql).groups() if name)
            self.statements.append(f"{verb} {table}")
            if verb != "SELECT":
                transaction = self.commits if self.connection.in_atomic_block else f"autocommit {len(self.writes)}"
                self.writes.append((transaction, table, sql))
        return execute(sql, params, many, context)

    def counting(self, commit):
        def counted_commit():
            commit()
            self.commits += 1

        return counted_commit

    def transactions_writing(self, table):
        return {transaction for transaction, written, _sql in self.writes if written == table}


@pytest.fixture
def recording(transactional_db):
    """`with recording() as recorded:` what the requests inside ran and
    committed, on real transactions rather than the test's own."""

    @contextlib.contextmanager
    def record():
        connection = connections["default"]
        recorded = Recorded(connection)
        connection.commit = recorded.counting(connection.commit)
        try:
            with connection.execute_wrapper(recorded):
                yield recorded
        finally:
            del connection.commit

    return record


def test_a_successful_login_runs_few_statements_and_commits_once(recording, primary_account, password):
    browser = Client()

    with recording() as recorded:
        response = log_in(browser, "66bdj5zw4x", password)

    assert response.status_code == 302
    assert recorded.statements == SUCCESSFUL_LOGIN
    # The audit entry, last_login and the session with all its keys: one commit.
    assert recorded.commits == 1
    assert {transaction for transaction, _table, _sql in recorded.writes} == {0}
    stored = SessionStore(browser.cookies[settings.SESSION_COOKIE_NAME].value).load()
    assert stored[SESSION_KEY] == str(primary_account.pk)
    assert LOGIN_AT_KEY in stored
    # last_login alone: the search text is made of other fields.
    (last_login,) = [sql for _transaction, table, sql in recorded.writes if table == "accounts_user"]
    assert "search_text" not in last_login
    assert is_logged_in(browser)


def test_the_second_step_writes_the_session_in_the_login_s_transaction(recording, organisme, password):
    account = UserFactory(organisme=organisme, identifiant="avec.code", second_factor=True)
    browser = Client()
    assert log_in(browser, "avec.code", password).url == "/connexion/code/"

    with recording() as recorded:
        response = browser.post("/connexion/code/", {"code": code_of(account)})

    assert response.url == "/"
    # The code's own transaction (a code is used once) comes first.
    (login,) = recorded.transactions_writing("audit_auditentry")
    assert isinstance(login, int)
    assert recorded.transactions_writing("django_session") == recorded.transactions_writing("accounts_user") == {login}
    assert is_logged_in(browser)


def test_a_session_changed_after_its_write_is_written_again(transactional_db):
    session = SessionStore()
    session["first"] = 1
    session.save()

    session["then"] = 2
    session.save()

    assert SessionStore(session.session_key).load() == {"first": 1, "then": 2}


def test_a_new_session_key_is_written_once_by_the_save(transactional_db):
    session = SessionStore()
    session["first"] = 1
    session.cycle_key()
    assert not SessionStore().exists(session.session_key)

    session.save()

    assert SessionStore(session.session_key).load() == {"first": 1}


def test_a_new_key_that_is_already_taken_is_drawn_again_never_overwritten(transactional_db, monkeypatch):
    someone_else = SessionStore()
    someone_else["owner"] = "someone else"
    someone_else.save()
    keys = iter([someone_else.session_key, "k" * 32])
    monkeypatch.setattr("accounts.sessions.get_random_string", lambda *args: next(keys))

    session = SessionStore()
    session["owner"] = "me"
    session.save()

    assert session.session_key == "k" * 32
    assert SessionStore(session.session_key).load() == {"owner": "me"}
    assert SessionStore(someone_else.session_key).load() == {"owner": "someone else"}
