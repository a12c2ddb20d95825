"""Mes coordonnées: an account corrects its own civilité, nom d'usage, prénom
and courriel. A new courriel takes effect only once confirmed from the
one-time link sent to it; the old address is then told.

As for password links (accounts/links.py): only the token's SHA-256 digest is
stored, minted as the e-mail leaves the outbox (the hand-over hook below), so
no usable token ever sits in the outbox; the link is single-use and expires.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import SEARCHED_FIELDS, EmailChange, User
from accounts.security_notices import SecurityEvent, notify_security_event
from audit.models import AuditEntry
from audit.services import record
from core.text import normalize_for_search
from core.versioning import save_if_unchanged
from outbox.delivery import DeliveryCancelled, register_hand_over_hook
from outbox.emails import absolute_url, send_email
from outbox.models import OutgoingEmail

LINK_MAX_AGE = timedelta(hours=24)
NAME_FIELDS = ("civilite", "last_name", "first_name")
TEMPLATE = "email_change_confirmation"
# Stands for the link in the stored e-mail, with the change it belongs to;
# the hand-over hook puts the real link in its place.
_PLACEHOLDER = "lien-a-usage-unique-ajoute-a-l-envoi-{pk}"
_PLACEHOLDER_PATTERN = re.compile(r"lien-a-usage-unique-ajoute-a-l-envoi-(\d+)")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link_path(token: str) -> str:
    return reverse("accounts:email_change_link", args=[token])


@transaction.atomic
def update_contact_details(
    account: User,
    *,
    acting_account: User,
    based_on_version: int,
    civilite: str,
    last_name: str,
    first_name: str,
    email: str,
) -> EmailChange | None:
    """Save the account's civilité and names, if it is still at
    `based_on_version` (raises StaleEdit otherwise), and, for a new courriel,
    send the link that confirms it. Returns the change waiting for it, if any."""
    new_values = {"civilite": civilite, "last_name": last_name, "first_name": first_name}
    changes = {field: [getattr(account, field), new] for field, new in new_values.items()}
    changes = {field: values for field, values in changes.items() if values[0] != values[1]}
    email_changed = email.casefold() != account.email.casefold()
    if changes or email_changed:
        # The version moves even when only the courriel changes: a form shown
        # before this request is a stale view of the account.
        written = {field: new for field, (_old, new) in changes.items()}
        search_text = normalize_for_search(*(written.get(field, getattr(account, field)) for field in SEARCHED_FIELDS))
        save_if_unchanged(
            account,
            based_on_version=based_on_version,
            changes=written | {"search_text": search_text},
            acting_account=acting_account,
        )
    if changes:
        record(
            AuditEntry.Action.CONTACT_DETAILS_CHANGED, account=account, acting_account=acting_account, changes=changes
        )
    if email_changed:
        return _request_email_change(account, new_email=email, acting_account=acting_account)
    return None


def _request_email_change(account: User, *, new_email: str, acting_account: User) -> EmailChange:
    EmailChange.objects.filter(user=account).delete()
    change = EmailChange.objects.create(
        user=account,
        new_email=new_email,
        # Unusable until the outbox mints the token as the e-mail leaves.
        token_digest=_digest(secrets.token_urlsafe(32)),
        expires_at=timezone.now() + LINK_MAX_AGE + timedelta(seconds=sum(settings.OUTBOX_RETRY_DELAYS_SECONDS)),
    )
    record(
        AuditEntry.Action.EMAIL_CHANGE_REQUESTED,
        account=account,
        acting_account=acting_account,
        changes={"email": [account.email, new_email]},
    )
    context = {
        "account": account,
        "new_email": new_email,
        "link_hours": int(LINK_MAX_AGE.total_seconds()) // 3600,
        "link_url": absolute_url(_link_path(_PLACEHOLDER.format(pk=change.pk))),
    }
    # To the new address, which the link proves its owner reads.
    send_email(to=new_email, template=TEMPLATE, context=context)
    return change


def pending_change(account: User) -> EmailChange | None:
    return EmailChange.objects.filter(user=account, expires_at__gt=timezone.now()).first()


@transaction.atomic
def cancel_email_change(account: User) -> None:
    EmailChange.objects.filter(user=account).delete()


def find_valid_change(token: str) -> EmailChange | None:
    """The live change for `token`, or None if unknown, used, expired or replaced."""
    if not token or len(token) > 100:
        return None
    return find_valid_change_by_digest(_digest(token))


def find_valid_change_by_digest(token_digest: str) -> EmailChange | None:
    if not token_digest:
        return None
    return (
        EmailChange.objects.select_related("user")
        .filter(token_digest=token_digest, expires_at__gt=timezone.now(), user__deleted_at__isnull=True)
        .first()
    )


@transaction.atomic
def confirm_email_change(change: EmailChange) -> User | None:
    """Make the new courriel the account's, once: the link is used up, and the
    old address told. Returns the account, or None when the link was used
    meanwhile by a parallel request."""
    deleted, _ = EmailChange.objects.filter(pk=change.pk, token_digest=change.token_digest).delete()
    if not deleted:
        return None
    account = User.objects.select_for_update().get(pk=change.user_id)
    old_email = account.email
    account.email = change.new_email
    account.version += 1
    account.save(update_fields=["email", "version"])
    record(
        AuditEntry.Action.EMAIL_CHANGED,
        account=account,
        acting_account=account,
        changes={"email": [old_email, change.new_email]},
    )
    if old_email:
        notify_security_event(account, SecurityEvent.EMAIL_CHANGED, to=old_email)
    return account


def _fill_in_link(email: OutgoingEmail, text_body: str, html_body: str) -> tuple[str, str]:
    """The outbox's hand-over hook: mint the confirmation link's token and put
    the link in place of the placeholder; cancel the e-mail when its change
    was replaced or cancelled meanwhile."""
    if email.template != TEMPLATE:
        return text_body, html_body
    found = _PLACEHOLDER_PATTERN.search(text_body)
    change = EmailChange.objects.filter(pk=int(found.group(1))).first() if found else None
    if change is None:
        raise DeliveryCancelled("Changement de courriel remplacé ou annulé avant l’envoi\u00a0: courriel annulé.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        change.token_digest = _digest(token)
        change.expires_at = timezone.now() + LINK_MAX_AGE
        change.save(update_fields=["token_digest", "expires_at"])
    placeholder_path, link_path = _link_path(_PLACEHOLDER.format(pk=change.pk)), _link_path(token)
    return text_body.replace(placeholder_path, link_path), html_body.replace(placeholder_path, link_path)


def register() -> None:
    register_hand_over_hook(_fill_in_link)
