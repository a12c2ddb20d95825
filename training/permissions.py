"""The one place that decides who may see and act on training: actions de
formation, their pages and invoices, and the CSV imports.

Views fetch actions and invoices only through these functions.
"""

from typing import TypeGuard

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import Actor, is_region_agent, rule_required
from training.models import (
    ActionFormation,
    Bilan,
    DemandeModification,
    DemandeModificationQuerySet,
    Facture,
    Inscription,
    Stagiaire,
)


def visible_actions(actor: Actor) -> QuerySet[ActionFormation]:
    """The actions de formation `actor` may see.

    An organisme account (primary or secondary): its organisme's actions.
    A Region agent: every action. Anyone else: none.
    """
    if is_region_agent(actor):
        return ActionFormation.objects.all()
    if actor.is_authenticated and actor.can_log_in and actor.organisme_id and not actor.is_region_agent:
        return ActionFormation.objects.filter(organisme_id=actor.organisme_id)
    return ActionFormation.objects.none()


def visible_trainees(actor: Actor) -> QuerySet[Stagiaire]:
    """The trainees `actor` may find: its organisme's own, for an organisme
    account; none for anyone else (the Région reads them on each BDC page)."""
    if is_organisme_account(actor) and actor.organisme_id is not None:
        return Stagiaire.objects.filter(organisme_id=actor.organisme_id)
    return Stagiaire.objects.none()


def get_visible_action_or_404(actor: Actor, pk: int) -> ActionFormation:
    return get_object_or_404(visible_actions(actor).select_related("organisme"), pk=pk)


def may_edit_action(actor: Actor, action: ActionFormation) -> bool:
    """Organisme accounts enter inscriptions and hours and validate periods of
    their own actions; the Region reads them here."""
    return (
        actor.is_authenticated
        and actor.can_log_in
        and not actor.is_region_agent
        and actor.organisme_id is not None
        and actor.organisme_id == action.organisme_id
    )


def get_editable_action_or_404(actor: Actor, pk: int) -> ActionFormation:
    """An action `actor` may edit: 404 when it may not see it, 403 when it may
    only read it (the Region)."""
    action = get_visible_action_or_404(actor, pk)
    if not may_edit_action(actor, action):
        raise PermissionDenied("saisie_organisme")  # the reason templates/403.html gives
    return action


def is_organisme_account(actor: Actor) -> TypeGuard[User]:
    """Imports and the organismes' Recherche rapide are for organismes'
    accounts, primary or secondary, not the Region's agents."""
    return actor.is_authenticated and actor.can_log_in and bool(actor.organisme_id) and not actor.is_region_agent


organisme_account_required = rule_required(is_organisme_account, "compte_organisme")


def actions_for_region(actor: Actor) -> QuerySet[ActionFormation]:
    """Every action for a Region agent, none for anyone else."""
    return ActionFormation.objects.all() if is_region_agent(actor) else ActionFormation.objects.none()


def get_action_for_region_or_404(actor: Actor, pk: int) -> ActionFormation:
    return get_object_or_404(actions_for_region(actor).select_related("organisme"), pk=pk)


def get_invoice_for_region_or_404(actor: Actor, pk: int) -> Facture:
    invoices = Facture.objects.all() if is_region_agent(actor) else Facture.objects.none()
    return get_object_or_404(invoices.select_related("action__organisme"), pk=pk)


# Demandes de modification: an organisme account files and follows them on its
# own actions; a Région agent sees them all and answers them.


def visible_demandes(actor: Actor) -> DemandeModificationQuerySet:
    """The demandes de modification on the actions `actor` may see."""
    return DemandeModification.objects.filter(action__in=visible_actions(actor))


def get_visible_demande_or_404(actor: Actor, pk: int) -> DemandeModification:
    return get_object_or_404(visible_demandes(actor).select_related("action__organisme"), pk=pk)


def may_file_demande(actor: Actor, action: ActionFormation) -> bool:
    """Whoever enters the action's data asks for its changes: its organisme's accounts."""
    return may_edit_action(actor, action)


def may_answer_demande(actor: Actor, demande: DemandeModification) -> bool:
    """The Région answers a demande, once."""
    return is_region_agent(actor) and demande.is_pending


def get_demande_to_answer_or_404(actor: Actor, pk: int) -> DemandeModification:
    """A demande `actor` may answer: 404 when it may not see it, 403 when it may only read it."""
    demande = get_visible_demande_or_404(actor, pk)
    if not is_region_agent(actor):
        raise PermissionDenied
    return demande


# Invoices, on their own page: the organisme's accounts read theirs and correct
# a rejected one; the Région reads them all (it changes their status from its space).


def visible_invoices(actor: Actor) -> QuerySet[Facture]:
    return Facture.objects.filter(action__in=visible_actions(actor))


def get_visible_invoice_or_404(actor: Actor, pk: int) -> Facture:
    return get_object_or_404(visible_invoices(actor).select_related("action__organisme"), pk=pk)


def may_correct_invoice(actor: Actor, facture: Facture) -> bool:
    return facture.is_rejected and may_edit_action(actor, facture.action)


def get_invoice_to_correct_or_404(actor: Actor, pk: int) -> Facture:
    """An invoice `actor` may correct: 404 when it may not see it, 403 when it
    may only read it (the Région)."""
    facture = get_visible_invoice_or_404(actor, pk)
    if not may_edit_action(actor, facture.action):
        raise PermissionDenied("saisie_organisme")
    return facture


# Bilans and questionnaires: the organisme's accounts fill and validate those of
# their own actions; the Région reads them all and reopens a validated one.


def get_bilan_inscription_or_404(actor: Actor, pk: int, inscription_pk: int) -> Inscription:
    """An inscription with its trainee on an action `actor` may see."""
    action = get_visible_action_or_404(actor, pk)
    inscriptions = action.inscriptions.filter(stagiaire__isnull=False).select_related("stagiaire", "action__organisme")
    return get_object_or_404(inscriptions, pk=inscription_pk)


def may_fill_bilan(actor: Actor, inscription: Inscription) -> bool:
    return may_edit_action(actor, inscription.action)


def may_reopen_bilan(actor: Actor, bilan: Bilan | None) -> bool:
    return is_region_agent(actor) and bilan is not None and bilan.is_validated


def bilan_inscriptions(actor: Actor) -> QuerySet[Inscription]:
    """The inscriptions whose bilans `actor` may see."""
    return Inscription.objects.filter(action__in=visible_actions(actor), stagiaire__isnull=False)
