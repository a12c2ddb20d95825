"""/healthz and /readyz, for the load balancer: public, no detail, no cookie."""

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from tests.conftest import _free_port


def assert_says_only(response, status, body):
    assert response.status_code == status
    assert response.content.decode() == body
    assert response["Content-Type"].startswith("text/plain")
    assert "Set-Cookie" not in response.headers
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_ok_without_logging_in(client):
    assert_says_only(client.get("/healthz"), 200, "ok")


def test_readyz_answers_ok_when_database_cache_and_migrations_are_ready(client, db):
    assert_says_only(client.get("/readyz"), 200, "ok")


def test_readyz_is_unavailable_while_a_migration_is_not_applied(client, db):
    latest = MigrationRecorder(connection).applied_migrations()
    app, name = max(key for key in latest if key[0] == "accounts")
    MigrationRecorder(connection).record_unapplied(app, name)

    assert_says_only(client.get("/readyz"), 503, "unavailable")


def test_readyz_is_unavailable_when_the_cache_does_not_answer(client, db, settings):
    # A Redis cache on a port where nothing listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",
        }
    }

    assert_says_only(client.get("/readyz"), 503, "unavailable")
