import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts manage.py in a process of its own.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **environment):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "EMAIL_HOST", "DATABASE_URL"}}
    env.update(environment)
    return subprocess.run(  # noqa: S603 (fixed argv: this interpreter and manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


PRODUCTION = {
    "SIGMA_ENV": "production",
    "ALLOWED_HOSTS": "sigma.laregion.fr",
    "EMAIL_HOST": "smtp.laregion.fr",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_secret_key():
    result = manage("check", SECRET_KEY="development-only-secret-key-never-use-in-production", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_an_smtp_server():
    environment = PRODUCTION | {"SECRET_KEY": secrets.token_urlsafe(60)}
    del environment["EMAIL_HOST"]
    result = manage("check", **environment)
    assert result.returncode != 0
    assert "EMAIL_HOST must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(60), **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_cookies_carry_the_host_prefix_and_meet_its_rules():
    """ASVS 3.4.4: __Host- cookies are taken by browsers only when Secure, for
    Path=/ and without Domain; the session and CSRF cookies are both."""
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN)"
    )
    result = manage("shell", "--no-imports", "-c", script, SECRET_KEY=secrets.token_urlsafe(60), **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sigma-session",
        "__Host-sigma-csrf",
        "True",
        "True",
        "/",
        "/",
        "None",
        "None",
    ]


def test_development_keeps_django_s_cookie_names_over_plain_http():
    result = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME)"
    )

    assert result.stdout.split() == ["sessionid"]
