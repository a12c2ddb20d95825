import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class MailFolderBackend(BaseEmailBackend):
    """Development backend: each message becomes one .eml file in MAIL_FOLDER,
    which /dev/mail/ lists so that a developer can follow every link."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = settings.MAIL_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(3)}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return len(email_messages)
