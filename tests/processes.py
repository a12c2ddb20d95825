"""Helpers for tests that run sigma's commands in processes of their own, on a
database of their own (tests/conftest.py: scratch_database)."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, env):
    """Run manage.py in a process of its own, as an operator would."""
    result = subprocess.run(  # noqa: S603 (fixed argv: this interpreter and manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def on_postgresql():
    return connection.vendor == "postgresql"


def postgres_url(database):
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
