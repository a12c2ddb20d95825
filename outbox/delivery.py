"""The outbox: e-mails are queued in the transaction of the change that causes
them and delivered by the worker (`manage.py db_worker`), through
django.tasks and the database backend of django-tasks-db.

Delivery is idempotent: a task only acts on an e-mail it claims with one
conditional UPDATE (queued and due → sending), so duplicate or replayed tasks
do nothing, and an e-mail is never sent again once it may have been handed
over (see transport.py).
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.policy import SMTP as SMTP_POLICY

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record
from outbox import transport
from outbox.models import DeliveryAttempt, OutgoingEmail

logger = logging.getLogger(__name__)


class DeliveryCancelled(Exception):
    """Raised by a hand-over hook: the e-mail must not leave; the message says
    why, to the Region agents who read the failed e-mails."""


# What must happen to an e-mail's bodies just before it is handed over,
# registered by the app whose e-mails carry something made only then (accounts:
# the one-time password link, whose token never sits in the outbox). Each hook
# takes the e-mail and its text and HTML bodies, and returns them, changed or not.
HandOverHook = Callable[[OutgoingEmail, str, str], tuple[str, str]]
_hand_over_hooks: list[HandOverHook] = []


def register_hand_over_hook(hook: HandOverHook) -> None:
    if hook not in _hand_over_hooks:
        _hand_over_hooks.append(hook)


@task
def deliver_email(email_id):
    """The worker's task for one e-mail (defined here, beside what it runs and
    what enqueues it, so that no module of the outbox imports another back)."""
    deliver(email_id)


def queue(*, to, account, template, subject, text_body, html_body, password_link=None):
    """Store the e-mail and its delivery task in the caller's transaction."""
    with transaction.atomic():
        email = OutgoingEmail.objects.create(
            to=to,
            account=account,
            template=template,
            subject=subject,
            text_body=text_body,
            html_body=html_body,
            password_link=password_link,
            carries_password_link=password_link is not None,
        )
        deliver_email.enqueue(email.pk)
    return email


def retry_delay(attempt_count):
    """The wait after the `attempt_count`-th failed attempt, or None when the
    schedule is exhausted and the e-mail has failed for good."""
    delays = settings.OUTBOX_RETRY_DELAYS_SECONDS
    if attempt_count > len(delays):
        return None
    return timedelta(seconds=delays[attempt_count - 1])


def deliver(email_id):
    """Try to deliver one e-mail now; what the worker's task runs."""
    started_at = timezone.now()
    claimed = OutgoingEmail.objects.filter(
        pk=email_id, status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=started_at
    ).update(status=OutgoingEmail.Status.SENDING, claimed_at=started_at, attempt_count=F("attempt_count") + 1)
    if not claimed:
        return
    email = OutgoingEmail.objects.select_related("password_link").get(pk=email_id)
    try:
        message = _build_message(email)
        transport.send(message, before_handover=lambda: _mark_handing_over(email))
    except DeliveryCancelled as cancelled:
        _finish(email, started_at, OutgoingEmail.Status.CANCELLED, DeliveryAttempt.Outcome.FAILED, str(cancelled))
    except transport.HandoverUncertain as error:
        _finish(email, started_at, OutgoingEmail.Status.FAILED, DeliveryAttempt.Outcome.FAILED, _uncertain_error(error))
    except (smtplib.SMTPException, OSError) as error:
        if _is_permanent(error):
            _finish(email, started_at, OutgoingEmail.Status.FAILED, DeliveryAttempt.Outcome.FAILED, _describe(error))
        else:
            _retry_later(email, started_at, _describe(error))
    except Exception as error:
        # Anything else (a header the e-mail library refuses, a bug) would fail
        # the same way on every attempt: the e-mail fails now, for a Region
        # agent to see, rather than staying claimed and requeued for ever.
        logger.exception("Outgoing message %s could not be delivered", email.pk)
        error_text = _unexpected_error(error)
        _finish(email, started_at, OutgoingEmail.Status.FAILED, DeliveryAttempt.Outcome.FAILED, error_text)
    else:
        _finish(email, started_at, OutgoingEmail.Status.SENT, DeliveryAttempt.Outcome.SENT, "")


class _UnfoldedHeadersEmail(EmailMultiAlternatives):
    """An e-mail whose headers are not folded at 78 characters: Python's
    folding between RFC 2047 encoded words drops spaces (CPython issue 144156:
    « a été refusée » arrived as « a  étérefusée »). A header stays under
    RFC 5322's hard limit of 998 characters; sigma's subjects are far shorter."""

    def message(self, *, policy=SMTP_POLICY):
        return super().message(policy=policy.clone(max_line_length=998))


def _build_message(email):
    text_body, html_body = email.text_body, email.html_body
    for hook in _hand_over_hooks:
        text_body, html_body = hook(email, text_body, html_body)
    message = _UnfoldedHeadersEmail(subject=email.subject, body=text_body, to=[email.to])
    message.attach_alternative(html_body, "text/html")
    return message


def _mark_handing_over(email):
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.HANDING_OVER)


def _finish(email, started_at, status, outcome, error):
    now = timezone.now()
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=status,
            sent_at=now if status == OutgoingEmail.Status.SENT else None,
            last_error=error,
            claimed_at=None,
        )
        DeliveryAttempt.objects.create(
            email=email, started_at=started_at, finished_at=now, outcome=outcome, error=error
        )


def _retry_later(email, started_at, error):
    delay = retry_delay(email.attempt_count)
    if delay is None:
        _finish(email, started_at, OutgoingEmail.Status.FAILED, DeliveryAttempt.Outcome.FAILED, error)
        return
    now = timezone.now()
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.QUEUED, next_attempt_at=now + delay, last_error=error, claimed_at=None
        )
        DeliveryAttempt.objects.create(
            email=email, started_at=started_at, finished_at=now, outcome=DeliveryAttempt.Outcome.RETRY, error=error
        )
        deliver_email.using(run_after=now + delay).enqueue(email.pk)


def _is_permanent(error):
    """5xx replies say the server will never take this message as it is."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _describe(error):
    """The error as a Region agent reads it: what happened in French, then the
    server's own words for whoever investigates."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{to} : {code} {_decode(reply)}" for to, (code, reply) in error.recipients.items())
        return "Destinataire refusé par le serveur de messagerie (%(replies)s)." % {"replies": replies}
    if isinstance(error, smtplib.SMTPResponseException):
        return "Refus du serveur de messagerie (%(reply)s)." % {
            "reply": f"{error.smtp_code} {_decode(error.smtp_error)}"
        }
    return "Serveur de messagerie injoignable (%(error)s)." % {"error": f"{type(error).__name__} : {error}"}


def _decode(reply):
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _uncertain_error(error):
    return (
        "Connexion interrompue pendant la remise au serveur de messagerie (%(error)s) : le courriel a peut-être "
        "été reçu. Vérifiez auprès du destinataire avant de le renvoyer."
    ) % {"error": error}


def _unexpected_error(error):
    return "Courriel impossible à construire ou à envoyer (%(error)s)." % {"error": f"{type(error).__name__} : {error}"}


def recover_interrupted_deliveries(*, now=None):
    """Deal with e-mails whose worker died (killed, machine lost) mid-delivery.

    Claimed longer ago than the lease and still `sending`: nothing reached
    the SMTP server's DATA, so they go back to the queue. Still
    `handing_over`: they may have arrived, so a Region agent decides (Renvoyer)
    rather than risking a second copy. Returns how many of each."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    requeued = 0
    for email in OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENDING, claimed_at__lt=stale):
        with transaction.atomic():
            taken_back = OutgoingEmail.objects.filter(
                pk=email.pk, status=OutgoingEmail.Status.SENDING, claimed_at=email.claimed_at
            ).update(status=OutgoingEmail.Status.QUEUED, next_attempt_at=now, claimed_at=None)
            if taken_back:
                DeliveryAttempt.objects.create(
                    email=email,
                    started_at=email.claimed_at or now,  # set: the filter reads it
                    finished_at=now,
                    outcome=DeliveryAttempt.Outcome.INTERRUPTED,
                    error="Envoi interrompu avant la remise : nouvel essai.",
                )
                deliver_email.enqueue(email.pk)
                requeued += 1
    flagged = 0
    for email in OutgoingEmail.objects.filter(status=OutgoingEmail.Status.HANDING_OVER, claimed_at__lt=stale):
        with transaction.atomic():
            error = _uncertain_error("processus d’envoi arrêté")
            if OutgoingEmail.objects.filter(
                pk=email.pk, status=OutgoingEmail.Status.HANDING_OVER, claimed_at=email.claimed_at
            ).update(status=OutgoingEmail.Status.FAILED, last_error=error, claimed_at=None):
                DeliveryAttempt.objects.create(
                    email=email,
                    started_at=email.claimed_at or now,  # set: the filter reads it
                    finished_at=now,
                    outcome=DeliveryAttempt.Outcome.INTERRUPTED,
                    error=error,
                )
                flagged += 1
    return requeued, flagged


@transaction.atomic
def resend(email, *, acting_account):
    """A Region agent's "Renvoyer" on an e-mail that failed for good."""
    resent = OutgoingEmail.objects.filter(
        pk=email.pk, status__in=[OutgoingEmail.Status.FAILED, OutgoingEmail.Status.CANCELLED]
    ).update(status=OutgoingEmail.Status.QUEUED, next_attempt_at=timezone.now(), last_error="")
    if not resent:
        return False
    record(
        AuditEntry.Action.EMAIL_RESENT,
        account=email.account,
        acting_account=acting_account,
        changes={"email_subject": email.subject, "recipient": email.to},
    )
    deliver_email.enqueue(email.pk)
    return True
