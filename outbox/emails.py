"""E-mails as the rest of sigma sends them: rendered from their templates and
queued in the outbox, in the caller's transaction."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from outbox import delivery
from outbox.models import OutgoingEmail


def absolute_url(path: str) -> str:
    """Links in e-mails use the configured address, never the request's Host."""
    return f"{settings.SIGMA_BASE_URL}{path}"


def send_email(*, to: Any, template: str, context: dict[str, Any], password_link: Any = None) -> OutgoingEmail:
    """Render templates/emails/<template>.{subject.txt,txt} and queue the e-mail
    in the current transaction: it leaves only if the change that causes it
    commits, and the worker retries it until the SMTP server takes it.

    `to` is an account, or an address that belongs to none (the Region's).
    `password_link` is the one-time link whose token a hand-over hook of the
    accounts app mints at delivery (see accounts/link_emails.py). The HTML
    alternative is the same text with its paragraphs and links marked up.
    """
    account = None if isinstance(to, str) else to
    with translation.override(settings.LANGUAGE_CODE):
        context = {"app_name": settings.SIGMA_APP_NAME, **context}
        subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
        text_body = render_to_string(f"emails/{template}.txt", context)
        # render_to_string marks its output safe; the HTML must escape this plain
        # text (names typed by users) like any other value, so unmark it.
        html_body = render_to_string("emails/layout.html", {"subject": subject, "text": str.__str__(text_body)})
    email: OutgoingEmail = delivery.queue(
        to=account.email if account else to,
        account=account,
        template=template,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        password_link=password_link,
    )
    return email
