"""The one place that decides who may act on which account.

Views fetch accounts and organismes only through these functions: an id from
a URL or a form is never trusted on its own.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import HandoverProposal, User
from organisations.models import Organisme
from training.models import ActionFormation


def is_region_agent(actor):
    return actor.is_authenticated and actor.is_region_agent and actor.can_log_in


def is_organisme_manager(actor):
    """An organisme's primary account manages its secondary accounts."""
    return actor.is_authenticated and actor.is_primary and actor.can_log_in


def managed_accounts(actor):
    """The accounts `actor` may see and act on.

    A Region agent: every organisme's accounts, primary ones included.
    A primary account: its own organisme's secondary accounts.
    Anyone else: none.
    """
    if is_region_agent(actor):
        return User.objects.alive().exclude(kind=User.Kind.REGION_AGENT)
    if is_organisme_manager(actor):
        return User.objects.alive().filter(organisme_id=actor.organisme_id, kind=User.Kind.SECONDARY)
    return User.objects.none()


def get_managed_account_or_404(actor, pk):
    return get_object_or_404(managed_accounts(actor).select_related("organisme"), pk=pk)


def managed_organismes(actor):
    if is_region_agent(actor):
        return Organisme.objects.all()
    if is_organisme_manager(actor):
        return Organisme.objects.filter(pk=actor.organisme_id)
    return Organisme.objects.none()


def get_managed_organisme_or_404(actor, pk):
    return get_object_or_404(managed_organismes(actor), pk=pk)


def handover_proposals(actor):
    """The pending proposals of the primary role `actor` takes part in: made by
    it or to it, within its own organisme."""
    if not (actor.is_authenticated and actor.can_log_in and actor.organisme_id):
        return HandoverProposal.objects.none()
    return HandoverProposal.objects.filter(
        Q(proposed_by=actor) | Q(proposed_to=actor), organisme_id=actor.organisme_id
    ).select_related("organisme", "proposed_by", "proposed_to")


def get_pending_proposal_for(actor):
    """The proposal `actor` has made or been made, to show on its pages, or None.

    Most pages of an organisme ask, and almost always there is none: a bare
    lookup by organisme (at most one proposal each) answers that for a third
    of the cost of the joined query, which only runs when there is one.
    """
    organisme_id = getattr(actor, "organisme_id", None)
    if organisme_id is None or not HandoverProposal.objects.filter(organisme_id=organisme_id).exists():
        return None
    return handover_proposals(actor).first()


def get_proposal_made_to_or_404(actor, pk):
    """Only the person a proposal is made to may accept or decline it."""
    return get_object_or_404(handover_proposals(actor).filter(proposed_to=actor), pk=pk)


def get_proposal_made_by_or_404(actor, pk):
    """Only its author may withdraw a proposal (its addressee declines it instead)."""
    return get_object_or_404(handover_proposals(actor).filter(proposed_by=actor), pk=pk)


def may_be_deleted(account):
    """A primary account is deleted only once another account has taken its role."""
    return not account.is_primary


def _require(rule, reason):
    """`reason`, the refusal's code, tells templates/403.html which sentence to show."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule(request.user):
                raise PermissionDenied(reason)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


primary_account_required = _require(is_organisme_manager, "compte_principal")
region_agent_required = _require(is_region_agent, "agent_region")


def visible_actions(actor):
    """The actions de formation `actor` may see.

    An organisme account (primary or secondary): its organisme's actions.
    A Region agent: every action. Anyone else: none.
    """
    if is_region_agent(actor):
        return ActionFormation.objects.all()
    if actor.is_authenticated and actor.can_log_in and actor.organisme_id and not actor.is_region_agent:
        return ActionFormation.objects.filter(organisme_id=actor.organisme_id)
    return ActionFormation.objects.none()


def get_visible_action_or_404(actor, pk):
    return get_object_or_404(visible_actions(actor).select_related("organisme"), pk=pk)


def may_edit_action(actor, action):
    """Organisme accounts enter inscriptions and hours and validate periods of
    their own actions; the Region reads them here."""
    return (
        actor.is_authenticated
        and actor.can_log_in
        and not actor.is_region_agent
        and actor.organisme_id is not None
        and actor.organisme_id == action.organisme_id
    )
