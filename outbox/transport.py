"""Hand one message to the configured mailer, telling the caller the moment
the message itself starts to leave.

Over SMTP that moment is after the server accepted the recipients and before
DATA: a worker dying before it has sent nothing (safe to retry), one dying
after may have delivered it (not safe). Other mailers (the development mail
folder) have no such window.
"""

import email.policy
import smtplib

from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend


class HandoverUncertain(Exception):
    """The connection broke while the message was being handed over: the
    server may or may not have it."""


def send(message, *, before_handover):
    backend = mailers.default
    if not isinstance(backend, SMTPBackend):
        before_handover()
        backend.send_messages([message])
        return
    backend.open()
    try:
        _send_over_smtp(backend, message, before_handover)
    finally:
        backend.close()


def _send_over_smtp(backend, message, before_handover):
    connection = backend.connection
    sender = backend.prep_address(message.from_email)
    recipients = [backend.prep_address(address) for address in message.recipients()]
    connection.ehlo_or_helo_if_needed()
    code, reply = connection.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = connection.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    content = message.message(policy=email.policy.SMTP).as_bytes()
    before_handover()
    try:
        code, reply = connection.data(content)
    except smtplib.SMTPResponseException:
        raise
    except (smtplib.SMTPException, OSError) as error:
        raise HandoverUncertain(f"{type(error).__name__}: {error}") from error
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
