"""The one place that decides who may act on which account.

Views fetch accounts only through these functions: an id from a URL or a
form is never trusted on its own.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import User


def can_manage_organisme_accounts(actor):
    """Only an organisme's primary account manages its secondary accounts."""
    return actor.is_authenticated and actor.is_primary and actor.can_log_in


def managed_accounts(actor):
    """The accounts `actor` may see and act on in Comptes utilisateurs."""
    if not can_manage_organisme_accounts(actor):
        return User.objects.none()
    return User.objects.alive().filter(organisme_id=actor.organisme_id, kind=User.Kind.SECONDARY)


def get_managed_account_or_404(actor, pk):
    return get_object_or_404(managed_accounts(actor).select_related("organisme"), pk=pk)


def primary_account_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_manage_organisme_accounts(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
