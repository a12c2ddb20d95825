"""The one place that decides who may act on which account.

Views fetch accounts and organismes only through these functions: an id from
a URL or a form is never trusted on its own.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.models import AccountSession, HandoverProposal, User
from organisations.models import Organisme

# Whoever asks: request.user, signed in or not.
Actor = User | AnonymousUser
View = Callable[..., HttpResponse]


def is_region_agent(actor: Actor) -> TypeGuard[User]:
    return actor.is_authenticated and actor.is_region_agent and actor.can_log_in


def is_organisme_manager(actor: Actor) -> TypeGuard[User]:
    """An organisme's primary account manages its secondary accounts."""
    return actor.is_authenticated and actor.is_primary and actor.can_log_in


def managed_accounts(actor: Actor) -> QuerySet[User]:
    """The accounts `actor` may see and act on.

    A Region agent: every organisme's accounts, primary ones included.
    A primary account: its own organisme's secondary accounts.
    Anyone else: none.
    """
    if is_region_agent(actor):
        return User.objects.alive().exclude(kind=User.Kind.REGION_AGENT)
    if is_organisme_manager(actor) and actor.organisme_id is not None:
        return User.objects.alive().filter(organisme_id=actor.organisme_id, kind=User.Kind.SECONDARY)
    return User.objects.none()


def get_managed_account_or_404(actor: Actor, pk: int) -> User:
    return get_object_or_404(managed_accounts(actor).select_related("organisme"), pk=pk)


def managed_organismes(actor: Actor) -> QuerySet[Organisme]:
    if is_region_agent(actor):
        return Organisme.objects.all()
    if is_organisme_manager(actor) and actor.organisme_id is not None:
        return Organisme.objects.filter(pk=actor.organisme_id)
    return Organisme.objects.none()


def get_managed_organisme_or_404(actor: Actor, pk: int) -> Organisme:
    return get_object_or_404(managed_organismes(actor), pk=pk)


def handover_proposals(actor: Actor) -> QuerySet[HandoverProposal]:
    """The pending proposals of the primary role `actor` takes part in: made by
    it or to it, within its own organisme."""
    if not (actor.is_authenticated and actor.can_log_in and actor.organisme_id):
        return HandoverProposal.objects.none()
    return HandoverProposal.objects.filter(
        Q(proposed_by=actor) | Q(proposed_to=actor), organisme_id=actor.organisme_id
    ).select_related("organisme", "proposed_by", "proposed_to")


def get_pending_proposal_for(actor: Actor) -> HandoverProposal | None:
    """The proposal `actor` has made or been made, to show on its pages, or None.

    Most pages of an organisme ask, and almost always there is none: a bare
    lookup by organisme (at most one proposal each) answers that for a third
    of the cost of the joined query, which only runs when there is one.
    """
    organisme_id = getattr(actor, "organisme_id", None)
    if organisme_id is None or not HandoverProposal.objects.filter(organisme_id=organisme_id).exists():
        return None
    return handover_proposals(actor).first()


def get_proposal_made_to_or_404(actor: Actor, pk: int) -> HandoverProposal:
    """Only the person a proposal is made to may accept or decline it."""
    return get_object_or_404(handover_proposals(actor).filter(proposed_to_id=actor.pk), pk=pk)


def get_proposal_made_by_or_404(actor: Actor, pk: int) -> HandoverProposal:
    """Only its author may withdraw a proposal (its addressee declines it instead)."""
    return get_object_or_404(handover_proposals(actor).filter(proposed_by_id=actor.pk), pk=pk)


def may_be_deleted(account: User) -> bool:
    """A primary account is deleted only once another account has taken its role."""
    return not account.is_primary


def rule_required(rule: Callable[[Actor], bool], reason: str = "") -> Callable[[View], View]:
    """A view decorator: 403 unless `rule(request.user)` holds. `reason`, the
    refusal's code, tells templates/403.html which sentence to show."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not rule(request.user):
                raise PermissionDenied(reason)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


primary_account_required = rule_required(is_organisme_manager, "compte_principal")
region_agent_required = rule_required(is_region_agent, "agent_region")


def own_sessions(actor: Actor) -> QuerySet[AccountSession]:
    """The signed-in sessions `actor` sees in Mes sessions, with their
    details: its own, and nobody else's (a manager sees only how many an
    account has, and ends them all: accounts.management_pages)."""
    if not actor.is_authenticated:
        return AccountSession.objects.none()
    return AccountSession.objects.open().filter(account=actor)


def get_own_session_or_404(actor: Actor, pk: int) -> AccountSession:
    return get_object_or_404(own_sessions(actor).select_related("account"), pk=pk)
