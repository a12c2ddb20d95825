import io
import json
import logging
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from ops.logs import json_formatter


class CapturedLogs:
    """What the configured log handler wrote, as the operators would read it."""

    def __init__(self, buffer):
        self._buffer = buffer

    @property
    def text(self):
        return self._buffer.getvalue()

    @property
    def records(self):
        """The JSON lines (production format), parsed."""
        return [json.loads(line) for line in self.text.splitlines() if line.startswith("{")]


@pytest.fixture
def captured_logs():
    """The handler configured in settings.LOGGING, writing to a buffer in the
    production (JSON) format, with the root logger at DEBUG level."""
    handler = logging.getHandlerByName("console")
    buffer = io.StringIO()
    stream = handler.setStream(buffer)
    formatter = handler.formatter
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    yield CapturedLogs(buffer)
    root.setLevel(level)
    handler.setFormatter(formatter)
    handler.setStream(stream)


ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env):
    """Run manage.py in a process of its own, as an operator would."""
    result = subprocess.run(  # noqa: S603 (fixed argv: this interpreter and manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def on_postgresql():
    return connection.vendor == "postgresql"


def _postgres_url(database):
    params = settings.DATABASES["default"]
    credentials = params["USER"] + (f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else "")
    return f"postgres://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{database}"


def postgres_admin():
    """A connection to the server's maintenance database, to create and drop
    scratch databases (never the test database Django is using)."""
    params = settings.DATABASES["default"]
    return psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


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
        return _postgres_url(name)

    yield create
    with postgres_admin() as admin:
        for name in created:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
