"""The backup routine of docs/deploy.md, and its restore drill: pg_dump in
custom format, pg_restore into an empty database, and sigma works on it."""

import os
import subprocess

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD
from tests.processes import manage, on_postgresql, postgres_url

# Dumps and restores a PostgreSQL database with the command-line tools.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not on_postgresql(), reason="pg_dump and pg_restore need PostgreSQL: run with DATABASE_URL=postgres://…"
    ),
]

# Run against the restored database, in a process of its own, as the drill does.
CHECK_RESTORED_SITE = """
from django.test import Client
from audit.models import AuditEntry
from organisations.models import Organisme

response = Client().post("/connexion/", {"identifiant": "66bdj5zw4x", "password": "%s"})
print(response.status_code, response["Location"])
print(Organisme.objects.get(siret="12345678913000").raison_sociale)
print(AuditEntry.objects.filter(account__identifiant="66bdj5zw4x", action="login_succeeded").count())
"""


def run(*argv):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)  # noqa: S603 (fixed argv)
    assert result.returncode == 0, result.stderr
    return result


def test_a_dump_restored_into_an_empty_database_serves_sigma_again(
    transactional_db, primary_account, scratch_database, tmp_path
):
    Client().post("/connexion/", {"identifiant": primary_account.identifiant, "password": PASSWORD})
    dump = tmp_path / "sigma.dump"

    run("pg_dump", "--format=custom", f"--file={dump}", postgres_url(settings.DATABASES["default"]["NAME"]))
    restored = scratch_database("restored")
    run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump))

    env = os.environ | {"SIGMA_ENV": "test", "DATABASE_URL": restored}
    manage("migrate", "--check", env=env)
    status, organisme, logins = manage(
        "shell", "--no-imports", "--command", CHECK_RESTORED_SITE % PASSWORD, env=env
    ).splitlines()
    assert status == "302 /"
    assert organisme == "ORGANISME TEST PRF 23"
    # The login before the dump, and the one just made on the restored database.
    assert logins == "2"
