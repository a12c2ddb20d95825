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
    """Create a link for `user`, killing any older one; returns the clear token."""
    revoke_links(user)
    token = secrets.token_urlsafe(32)
    PasswordLink.objects.create(
        user=user,
        token_digest=digest(token),
        expires_at=timezone.now() + timedelta(seconds=settings.PASSWORD_LINK_MAX_AGE_SECONDS),
    )
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
