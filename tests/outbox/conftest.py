import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import run_worker_until_idle


@pytest.fixture
def clock(monkeypatch):
    """The time as sigma and the worker see it, moved forward on demand
    rather than slept through."""

    class Clock:
        offset = timedelta(0)

        def advance(self, **delta):
            self.offset += timedelta(**delta)

    moved = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + moved.offset)
    return moved


@pytest.fixture
def worker():
    """`worker()` runs the e-mail worker until nothing is due."""
    return run_worker_until_idle


@pytest.fixture
def smtp_outage(settings, smtp_server):
    """The SMTP server is unreachable until `smtp_outage.end()`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    working = settings.MAILERS

    class Outage:
        def end(self):
            settings.MAILERS = working

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": dead_port, "timeout": 5},
        }
    }
    return Outage()
