"""One-time password links: issued, checked and consumed here only."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import PasswordLink


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(user):
    """Create a link for `user`, killing any older one.

    It has no usable token yet: the outbox mints one (mint_token) as the e-mail
    carrying it leaves, so the token is never stored, even while delivery
    waits for the SMTP server, and the hour of validity starts on delivery.
    Until then it is kept from the purge for as long as the outbox retries.
    """
    revoke_links(user)
    return PasswordLink.objects.create(
        user=user,
        token_digest=digest(secrets.token_urlsafe(32)),
        expires_at=timezone.now()
        + timedelta(seconds=settings.PASSWORD_LINK_MAX_AGE_SECONDS + sum(settings.OUTBOX_RETRY_DELAYS_SECONDS)),
    )


def mint_token(link):
    """Give `link` a new token, valid for the next hour; returns it in clear."""
    token = secrets.token_urlsafe(32)
    link.token_digest = digest(token)
    link.expires_at = timezone.now() + timedelta(seconds=settings.PASSWORD_LINK_MAX_AGE_SECONDS)
    link.save(update_fields=["token_digest", "expires_at"])
    return token


def revoke_links(user):
    PasswordLink.objects.filter(user=user).delete()


def find_valid_link(token):
    """The live link for `token`, or None if unknown, used, expired or revoked."""
    if not token or len(token) > 100:
        return None
    return find_valid_link_by_digest(digest(token))


def find_valid_link_by_digest(token_digest):
    if not token_digest:
        return None
    return (
        PasswordLink.objects.select_related("user")
        .filter(
            token_digest=token_digest,
            expires_at__gt=timezone.now(),
            user__deleted_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )
