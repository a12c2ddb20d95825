from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path):
    """Links in e-mails use the configured address, never the request's Host."""
    return f"{settings.SIGMA_BASE_URL}{path}"


def send_email_on_commit(*, to, template, context):
    """Render templates/emails/<template>.{subject.txt,txt} and send them once
    the current transaction commits, so no e-mail announces a rolled-back change.

    The HTML alternative is the same text with its paragraphs and links marked up.
    """
    with translation.override(settings.LANGUAGE_CODE):
        context = {"app_name": settings.SIGMA_APP_NAME, **context}
        subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
        text_body = render_to_string(f"emails/{template}.txt", context)
        # render_to_string marks its output safe; the HTML must escape this plain
        # text (names typed by users) like any other value, so unmark it.
        html_body = render_to_string("emails/layout.html", {"subject": subject, "text": str.__str__(text_body)})
    message = EmailMultiAlternatives(subject=subject, body=text_body, to=[to])
    message.attach_alternative(html_body, "text/html")
    transaction.on_commit(message.send)
