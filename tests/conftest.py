import email
import re
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from tests.factories import PASSWORD, OrganismeFactory, UserFactory


class RecordingHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class Mailbox:
    """What the test SMTP server received, with helpers to read it as a user would."""

    def __init__(self, handler):
        self._handler = handler

    @property
    def messages(self):
        return list(self._handler.messages)

    def to(self, address):
        return [message for message in self._handler.messages if address in message["To"]]

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


@pytest.fixture(autouse=True)
def _send_through_smtp(settings, smtp_server):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": smtp_server.hostname, "port": smtp_server.port, "timeout": 5},
        }
    }


@pytest.fixture
def mailbox(smtp_server, transactional_db):
    """The test's mailbox. E-mails leave only once a transaction commits, so
    tests that read them run with real transactions."""
    smtp_server.handler.messages.clear()
    return Mailbox(smtp_server.handler)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def organisme(db):
    return OrganismeFactory(raison_sociale="ORGANISME TEST PRF 23", siret="12345678913000")


@pytest.fixture
def primary_account(organisme):
    return UserFactory(primary=True, organisme=organisme, identifiant="66bdj5zw4x", last_name="BLA", first_name="PAU")


@pytest.fixture
def secondary_account(organisme):
    return UserFactory(
        organisme=organisme,
        identifiant="test.identifiant",
        civilite="madame",
        last_name="NOM TEST COMPTE",
        first_name="PRENOM TEST COMPTE",
        email="aa1@aa.fr",
    )


@pytest.fixture
def other_organisme(db):
    return OrganismeFactory(raison_sociale="FORMATIONS DU MIDI")


@pytest.fixture
def other_primary_account(other_organisme):
    return UserFactory(primary=True, organisme=other_organisme, identifiant="durand.fdm")


@pytest.fixture
def other_secondary_account(other_organisme):
    return UserFactory(organisme=other_organisme, identifiant="autre.secondaire")


@pytest.fixture
def region_agent(db):
    return UserFactory(region_agent=True, identifiant="agent.region")


@pytest.fixture
def client_of(client):
    """`client_of(account)`: the test client, logged in as `account`."""

    def log_in(account):
        client.force_login(account)
        return client

    return log_in
