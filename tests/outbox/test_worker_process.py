"""The worker as production runs it (`manage.py db_worker`, a separate
process), killed with SIGKILL in the middle of a batch and started again:
every e-mail arrives exactly once."""

import asyncio
import os
import signal
import subprocess
import sys
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import RecordingHandler, _free_port
from tests.processes import ROOT, manage

# Starts, kills and restarts a worker process.
pytestmark = pytest.mark.slow

RECIPIENTS = [f"collegue{n}@organisme.fr" for n in range(6)]
STOP_AT_RECIPIENT = 3

QUEUE_EMAILS = f"""
from accounts import services
from organisations.services import create_organisme_with_primary_account
organisme, primary = create_organisme_with_primary_account(
    acting_account=None, raison_sociale="ORGANISME TEST PRF 23", enseigne="", siret="12345678913000",
    civilite="madame", last_name="BLA", first_name="PAU", email="principal@organisme.fr",
)
for n, email in enumerate({RECIPIENTS!r}):
    services.create_secondary_account(
        organisme=organisme, acting_account=primary, civilite="monsieur",
        last_name=f"NOM{{n}}", first_name="Prénom", email=email,
    )
"""


class StallingHandler(RecordingHandler):
    """Accepts mail, but stalls on the RCPT of one recipient until released,
    so that the test can kill the worker at a known point of the batch."""

    def __init__(self, stall_for):
        super().__init__()
        self.stall_for = stall_for
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.stall_for and not self.release.is_set():
            self.stalled.set()
            await asyncio.to_thread(self.release.wait, 30)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def stalling_smtp():
    handler = StallingHandler(stall_for=RECIPIENTS[STOP_AT_RECIPIENT])
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    handler.release.set()
    controller.stop()


def test_a_worker_killed_mid_batch_and_restarted_delivers_every_email_exactly_once(scratch_database, stalling_smtp):
    environment = os.environ | {
        "SIGMA_ENV": "test",
        "DATABASE_URL": scratch_database("worker"),
        "EMAIL_HOST": stalling_smtp.hostname,
        "EMAIL_PORT": str(stalling_smtp.port),
        # The killed worker is known dead: no need to wait out its lease.
        "OUTBOX_CLAIM_LEASE_SECONDS": "0",
    }
    manage("migrate", "--noinput", env=environment)
    manage("shell", "-c", QUEUE_EMAILS, env=environment)
    handler = stalling_smtp.handler

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert handler.stalled.wait(60), "the worker never reached the stalling recipient"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    delivered_before_the_crash = sorted(message["To"] for message in handler.messages)
    handler.release.set()

    manage("run_scheduled_jobs", env=environment)
    manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", env=environment)

    received = sorted(message["To"] for message in handler.messages)
    # Killed on the fourth colleague's e-mail: the primary account's and three others had left.
    assert delivered_before_the_crash == sorted(["principal@organisme.fr", *RECIPIENTS[:STOP_AT_RECIPIENT]])
    assert received == sorted(["principal@organisme.fr", *RECIPIENTS])
