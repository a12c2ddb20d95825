import datetime
import email
import hashlib
import os
import re
import socket
import sqlite3
from contextlib import closing
from email import policy
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import django
import pytest
from aiosmtpd.controller import Controller
from django.apps import apps
from django.conf import settings
from django.contrib.auth.management import create_permissions, rename_permissions_after_model_rename
from django.contrib.contenttypes.management import create_contenttypes
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_migrate
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from psycopg import sql

from accounts import links
from accounts.models import PasswordLink, User
from audit.models import AuditEntry
from tests import guide_accounts
from tests.database import count_of, rows_of
from tests.factories import PASSWORD
from tests.pages import read_page
from tests.processes import on_postgresql, postgres_admin, postgres_url
from tests.two_factor import log_in_verified

E2E_DIRECTORY = Path(__file__).parent / "e2e"
# The migrated SQLite test database, kept between runs (django_db_setup).
TEST_DATABASE_TEMPLATES = Path(settings.BASE_DIR) / "var" / "test-databases"


def pytest_collection_modifyitems(items):
    """Every test under tests/e2e/ drives Chromium: mark it `e2e`, so that
    `make test-fast` (-m "not e2e and not slow") leaves it out."""
    for item in items:
        if item.path.is_relative_to(E2E_DIRECTORY):
            item.add_marker(pytest.mark.e2e)


class RecordingHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def run_worker_until_idle():
    """Run the real e-mail worker (django-tasks-db's) in this process until no
    task is due, as `manage.py db_worker --batch` would."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    ).run()


class Mailbox:
    """What the test SMTP server received, with helpers to read it as a user
    would. Reading first lets the worker deliver whatever is due."""

    def __init__(self, handler):
        self._handler = handler

    @property
    def messages(self):
        run_worker_until_idle()
        return list(self._handler.messages)

    def to(self, address):
        return [message for message in self.messages if address in message["To"]]

    def last_to(self, address):
        received = self.to(address)
        assert received, f"no e-mail reached {address}"
        return received[-1]

    @staticmethod
    def text(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message):
        return message.get_body(preferencelist=("html",)).get_content()

    def links(self, message):
        return re.findall(r"https?://\S+", self.text(message))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on loopback, for the whole test session."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


def _migrated_template():
    """Where the migrated SQLite test database is kept between runs: a file
    named after what the migrations produce (every installed app's migration
    files, Django's and SQLite's versions), None unless the tests run on an
    in-memory SQLite database (the default)."""
    test_name = connection.settings_dict.get("TEST", {}).get("NAME") or ":memory:"
    if connection.vendor != "sqlite" or not connection.creation.is_in_memory_db(test_name):
        return None
    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    for app_config in sorted(apps.get_app_configs(), key=lambda app: app.label):
        for migration in sorted((Path(app_config.path) / "migrations").glob("*.py")):
            digest.update(f"{app_config.label}/{migration.name}".encode())
            digest.update(migration.read_bytes())
    return TEST_DATABASE_TEMPLATES / f"{digest.hexdigest()[:32]}.sqlite3"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """When a run before this one kept the migrated database (_migrated_template),
    Django makes the test database's tables from the models, not through the
    migrations (0.2 s instead of 2.5 s a process): django_db_setup then
    replaces the whole database with the kept copy, made by the migrations."""
    template = _migrated_template()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    migrate = test_settings.get("MIGRATE", True)
    if template is not None and template.exists():
        test_settings["MIGRATE"] = False
    yield
    test_settings["MIGRATE"] = migrate


@pytest.fixture(scope="session")
def django_db_setup(django_db_modify_db_settings, django_db_setup, django_db_blocker):
    """The test database, migrated as production's is (content types and
    permissions included): by the migrations, or copied whole from the
    database they made in an earlier run, with the same migrations
    (_migrated_template). Then Django's content-type and permission handlers
    are let go: sigma uses neither, and they would re-create both rows after
    each test that runs with real transactions (`mailbox`), when the flush
    that ends it emits post_migrate (about 0.1 CPU-s a test)."""
    template = _migrated_template()
    if template is not None:
        with django_db_blocker.unblock():
            connection.ensure_connection()
            if template.exists():
                with closing(sqlite3.connect(template)) as kept:
                    kept.backup(connection.connection)
            else:
                template.parent.mkdir(parents=True, exist_ok=True)
                written = template.with_suffix(f".{os.getpid()}.tmp")
                with closing(sqlite3.connect(written)) as kept:
                    connection.connection.backup(kept)
                written.replace(template)
    post_migrate.disconnect(create_contenttypes)
    post_migrate.disconnect(dispatch_uid="django.contrib.auth.management.create_permissions")
    post_migrate.disconnect(dispatch_uid="django.contrib.auth.management.rename_permissions")
    yield
    post_migrate.connect(create_contenttypes)
    post_migrate.connect(create_permissions, dispatch_uid="django.contrib.auth.management.create_permissions")
    post_migrate.connect(
        rename_permissions_after_model_rename, dispatch_uid="django.contrib.auth.management.rename_permissions"
    )


@pytest.fixture(autouse=True)
def _argon2_when_marked(request):
    """The test settings hash with MD5 for speed (config/settings.py); a test
    marked `argon2` hashes and checks with the production list, Argon2id first.
    Autouse, so it runs before the fixtures that make its accounts."""
    if request.node.get_closest_marker("argon2"):
        request.getfixturevalue("settings").PASSWORD_HASHERS = settings.ARGON2_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no per-IP counter (accounts/throttling.py)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _send_through_smtp(django_test_environment, smtp_server):
    """Every e-mail goes to the test SMTP server: set once for the session
    (after Django's test environment, which sets its own), not per test."""
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": smtp_server.hostname, "port": smtp_server.port, "timeout": 5},
        }
    }
    with override_settings(MAILERS=mailers):
        yield


@pytest.fixture
def mailbox(smtp_server, transactional_db):
    """The test's mailbox. E-mails leave only once a transaction commits and
    the worker runs, so tests that read them run with real transactions."""
    smtp_server.handler.messages.clear()
    return Mailbox(smtp_server.handler)


@pytest.fixture
def paris_just_after_midnight(time_machine):
    """23:30 UTC on 30 November 2026: already 1 December in Paris (UTC+1).
    Put it first among a test's fixtures, so that its accounts log in at that time."""
    time_machine.move_to(datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def organisme(db):
    return guide_accounts.organisme()


@pytest.fixture
def primary_account(organisme):
    return guide_accounts.primary_account(organisme)


@pytest.fixture
def secondary_account(organisme):
    return guide_accounts.secondary_account(organisme)


@pytest.fixture
def second_secondary_account(organisme):
    """The guide's other secondary account: Monsieur GU Be."""
    return guide_accounts.second_secondary_account(organisme)


@pytest.fixture
def other_organisme(db):
    return guide_accounts.other_organisme()


@pytest.fixture
def other_primary_account(other_organisme):
    return guide_accounts.other_primary_account(other_organisme)


@pytest.fixture
def other_secondary_account(other_organisme):
    return guide_accounts.other_secondary_account(other_organisme)


@pytest.fixture
def region_agent(db):
    return guide_accounts.region_agent()


@pytest.fixture
def client_of(client):
    """`client_of(account)`: the test client, logged in as `account` (through
    its second factor when it has one: Region agents always do)."""

    def log_in(account):
        return log_in_verified(client, account)

    return log_in


@pytest.fixture
def field_errors():
    """`field_errors(response, name)`: the error messages shown next to the form
    field `name`, i.e. the error list its input is described by."""

    def errors_of(response, name):
        page = response.content.decode()
        # In the page's own content: the header's Recherche rapide has a field "q" too.
        main = page[page.find("<main") :]
        field = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', main)
        assert field, f"no field {name!r} on the page"
        described_by = re.search(r'aria-describedby="([^"]*)"', field.group(0))
        messages = []
        for list_id in described_by.group(1).split() if described_by else []:
            error_list = re.search(rf'<ul class="errorlist[^"]*" id="{re.escape(list_id)}">(.*?)</ul>', page, re.S)
            if error_list:
                messages += [unescape(item) for item in re.findall(r"<li>(.*?)</li>", error_list.group(1), re.S)]
        return messages

    return errors_of


@pytest.fixture
def password_link_of(mailbox):
    """`password_link_of(account)`: fills in the Génération de mot de passe page
    with the account's details, as its user would, and returns the path of the
    one-time link (/acces/<token>/) from the e-mail it receives."""

    def request_link(account):
        response = Client().post(
            "/generation-mot-de-passe/",
            {
                "identifiant": account.identifiant,
                "last_name": account.last_name,
                "first_name": account.first_name,
                "email": account.email,
            },
        )
        assert response.status_code == 200
        links = [urlsplit(link).path for link in mailbox.links(mailbox.last_to(account.email)) if "/acces/" in link]
        assert len(links) == 1, links
        return links[0]

    return request_link


@pytest.fixture
def client_by_link(client, db):
    """`client_by_link(account)`: the test client, logged in through a one-time
    link (Continuer), so with a temporary password. The link is issued and its
    token minted as the generation page and the outbox do (accounts.links),
    without the e-mail's round trip, which tests/accounts/test_password_links.py
    walks (`password_link_of`)."""

    def log_in(account):
        token = links.mint_token(links.issue_link(account))
        confirm_page = client.get(reverse("accounts:password_link", kwargs={"token": token}), follow=True)
        assert confirm_page.status_code == 200
        response = client.post("/acces/")
        assert response.status_code == 302
        return client

    return log_in


@pytest.fixture
def page_of():
    """`page_of(response)`: the page as its user reads it (tests/pages.py):
    `.text` with the whitespace squeezed, `.links`, and its table's `.headers` and `.rows`."""
    return read_page


@pytest.fixture
def login_succeeds(db):
    """`login_succeeds(identifiant, password)`: whether the login page, in a
    browser of its own, lets this identifiant and password in."""

    def attempt(identifiant, password):
        browser = Client()
        browser.post("/connexion/", {"identifiant": identifiant, "password": password})
        return "_auth_user_id" in browser.session

    return attempt


@pytest.fixture
def browser_of(db):
    """`browser_of(account)`: a test client of its own, logged in as `account`,
    for a second user working at the same time as `client`."""

    def open_browser(account):
        return log_in_verified(Client(), account)

    return open_browser


@pytest.fixture
def stored_state(db):
    """`stored_state()`: every account as stored, and how many audit entries and
    password links exist. Equal before and after a request: it changed nothing."""

    def snapshot():
        return {
            "accounts": rows_of(User),
            "audit_entries": count_of(AuditEntry),
            "password_links": count_of(PasswordLink),
        }

    return snapshot


@pytest.fixture
def scratch_database(tmp_path):
    """`scratch_database(suffix)`: the URL of an empty database of this test's
    own: a PostgreSQL database named after the test database when the suite
    runs on PostgreSQL, a SQLite file otherwise. Dropped afterwards."""
    created = []

    def create(suffix):
        if not on_postgresql():
            return f"sqlite:///{tmp_path / suffix}.sqlite3"
        name = f"{settings.DATABASES['default']['NAME']}_{suffix}"
        with postgres_admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return postgres_url(name)

    yield create
    with postgres_admin() as admin:
        for name in created:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
