"""Who may see and act on which passkey: each account on its own, and on
nothing else. A passkey's id from a URL is looked up only among the actor's."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts import two_factor
from accounts.models import User
from passkeys.models import Passkey

Actor = User | AnonymousUser


def own_passkeys(actor: Actor) -> QuerySet[Passkey]:
    """The passkeys `actor` may see and act on: its own, if it can sign in."""
    passkeys: QuerySet[Passkey] = Passkey.objects.all()
    if not (actor.is_authenticated and actor.can_log_in):
        return passkeys.none()
    return passkeys.filter(user=actor, confirmed=True)


def get_own_passkey_or_404(actor: Actor, pk: int) -> Passkey:
    passkey: Passkey = get_object_or_404(own_passkeys(actor).select_related("user"), pk=pk)
    return passkey


def may_remove(actor: User, passkey: Passkey) -> bool:
    """A passkey may be removed unless it is the last second factor of an
    account that must have one (the Région's agents, an organisme requiring it):
    the authenticator app or another passkey must be there first."""
    if not two_factor.is_required_for(actor):
        return True
    return two_factor.has_authenticator_app(actor) or own_passkeys(actor).exclude(pk=passkey.pk).exists()
