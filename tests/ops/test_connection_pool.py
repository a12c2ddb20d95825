"""DATABASE_POOL turns on Django's built-in psycopg connection pool (docs/deploy.md)."""

import os

import pytest

from tests.processes import manage, on_postgresql

# Starts processes on a scratch PostgreSQL database.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not on_postgresql(), reason="PostgreSQL’s connection pool: run with DATABASE_URL"),
]

SHOW_POOL = """
from django.db import connection
from accounts.models import User
User.objects.count()
print(type(connection.pool).__name__, connection.pool.max_size)
"""


def test_database_pool_gives_each_process_a_pool_of_that_size(scratch_database):
    environment = os.environ | {"SIGMA_ENV": "test", "DATABASE_URL": scratch_database("pool"), "DATABASE_POOL": "3"}
    manage("migrate", "--noinput", env=environment)

    assert manage("shell", "--no-imports", "-c", SHOW_POOL, env=environment).split() == ["ConnectionPool", "3"]
