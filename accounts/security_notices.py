"""Security notices: an e-mail to the account's own address when something
that protects it changes, so that its user notices a change they did not make
(ASVS 2.2.3). Each says what changed, when, from which address, and what to
do if it was not them; never a secret or a link that signs in."""

import enum

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.context import current_ip_address
from outbox.emails import absolute_url, send_email


class SecurityEvent(enum.Enum):
    PASSWORD_CHANGED = "Votre mot de passe a été modifié."
    IDENTIFIANT_CHANGED = "Votre identifiant a été modifié."
    EMAIL_CHANGED = "L’adresse de courriel de votre compte a été modifiée."
    SECOND_FACTOR_ENABLED = "La double authentification a été activée sur votre compte."
    SECOND_FACTOR_DISABLED = "La double authentification a été désactivée sur votre compte."
    SECOND_FACTOR_RESET = "La double authentification de votre compte a été réinitialisée."
    PASSKEY_ADDED = "Une clé d’accès a été ajoutée à votre compte."
    PASSKEY_REMOVED = "Une clé d’accès a été retirée de votre compte."
    SESSIONS_ENDED = "Vos sessions ouvertes ont été fermées par une autre personne."


def notify_security_event(
    account: User,
    event: SecurityEvent,
    *,
    ip_address: str | None = None,
    to: str | None = None,
) -> None:
    """Queue the notice of `event` to `account` (in the caller's transaction:
    it leaves only if the change commits). `ip_address` defaults to the
    current request's; `to`, an address other than the account's (the former
    one when the courriel changes)."""
    address = to or account.email
    if not address:
        return
    context = {
        "account": account,
        "event": event.value,
        "at": timezone.localtime(),
        "ip_address": ip_address or current_ip_address.get() or "inconnue",
        "contacts_url": absolute_url(reverse("core:contacts")),
        "generation_url": absolute_url(reverse("accounts:password_generation")),
        "region_email": settings.SIGMA_REGION_EMAIL,
    }
    send_email(to=to or account, template="security_notice", context=context)
