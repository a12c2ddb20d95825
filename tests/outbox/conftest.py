import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import run_worker_until_idle


@pytest.fixture
def clock(time_machine):
    """The time as sigma and the worker see it (time-machine), moved forward
    on demand rather than slept through."""

    class Clock:
        def advance(self, **delta):
            time_machine.shift(timedelta(**delta))

    time_machine.move_to(timezone.now())
    return Clock()


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
