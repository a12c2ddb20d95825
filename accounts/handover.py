"""Handing an organisme's primary role over to one of its secondary accounts.

An organisme has exactly one primary account at every instant another
transaction can see. Each action locks the organisme's row first, so that
handovers, proposals and their answers on one organisme run one after the
other; inside, the former primary account is demoted before the new one is
promoted, as the unique constraint one_primary_account_per_organisme checks
each row as it is written.
"""

from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse

from accounts import services
from accounts.account_sessions import forget_sessions
from accounts.models import HandoverProposal, User
from audit.models import AuditEntry
from audit.services import record
from organisations.models import Organisme
from outbox.emails import absolute_url, send_email


class HandoverRefused(Exception):
    """The handover, or the proposal, cannot go ahead; the message, in French, says why."""


class FormerPrimaryBecomes(models.TextChoices):
    SECONDARY = "secondary", "compte secondaire"
    DEACTIVATED = "deactivated", "désactivé"


def eligible_successors(organisme: Organisme) -> QuerySet[User]:
    """The accounts that may take the organisme's primary role: its secondary
    accounts that can log in."""
    return User.objects.alive().filter(organisme=organisme, kind=User.Kind.SECONDARY, is_active=True, is_blocked=False)


def handed_over_message(organisme: Organisme, new_primary: User) -> str:
    return "Le rôle de compte principal de l’organisme %(organisme)s a bien été transféré à %(name)s." % {
        "organisme": organisme.raison_sociale,
        "name": new_primary.civil_name,
    }


def withdrawn_message(proposal: HandoverProposal) -> str:
    return (
        "La proposition du rôle de compte principal à %(name)s a bien été annulée. "
        "Un courriel a été envoyé à %(name)s pour l’en informer."
    ) % {"name": proposal.proposed_to.civil_name}


def _lock_organisme(organisme_id: int) -> Organisme:
    return Organisme.objects.select_for_update().get(pk=organisme_id)


def _locked_pending_proposal(proposal: HandoverProposal) -> HandoverProposal | None:
    """The proposal as stored, its row and both accounts' locked; None once it
    has been accepted or cancelled."""
    return (
        HandoverProposal.objects.select_for_update()
        .select_related("organisme", "proposed_by", "proposed_to")
        .filter(pk=proposal.pk)
        .first()
    )


def _home_url() -> str:
    return absolute_url(reverse("dashboard:home"))


@transaction.atomic
def hand_over_primary_role(
    *, organisme: Organisme, new_primary: User, former_primary_becomes: str, acting_account: User
) -> User:
    """Make `new_primary`, a secondary account of `organisme`, its primary account.

    The former primary account becomes a secondary account, deactivated if
    `former_primary_becomes` says so. Both accounts' open sessions end (their
    rights changed) and any pending proposal is cancelled. Returns the new
    primary account as stored.
    """
    return _hand_over(
        organisme_id=organisme.pk,
        new_primary_id=new_primary.pk,
        former_becomes=FormerPrimaryBecomes(former_primary_becomes),
        acting_account=acting_account,
    )


def _hand_over(
    *,
    organisme_id: int,
    new_primary_id: int,
    former_becomes: "FormerPrimaryBecomes",
    acting_account: User,
    accepted_proposal: HandoverProposal | None = None,
    current_session: str | None = None,
) -> User:
    """The handover itself, inside the calling action's transaction.
    `current_session`: the key digest of the new primary account's session
    that accepted, which goes on (the view gives it a new key)."""
    organisme = _lock_organisme(organisme_id)
    # Read again under the lock: a parallel handover may have changed both.
    former = User.objects.alive().select_for_update().filter(organisme=organisme, kind=User.Kind.PRIMARY).first()
    new_primary = eligible_successors(organisme).select_for_update().filter(pk=new_primary_id).first()
    if new_primary is None:
        raise HandoverRefused(
            "Ce compte n’est pas un compte secondaire actif de l’organisme %(organisme)s."
            % {"organisme": organisme.raison_sociale}
        )
    if former is None:
        raise HandoverRefused(
            "L’organisme %(organisme)s n’a pas de compte principal dont transférer le rôle."
            % {"organisme": organisme.raison_sociale}
        )

    # Demote first: the organisme must never hold two primary accounts, even
    # between two statements of this transaction.
    former.kind = User.Kind.SECONDARY
    former.session_generation += 1
    former.save(update_fields=["kind", "session_generation"])
    forget_sessions(former)
    if former_becomes == FormerPrimaryBecomes.DEACTIVATED and former.is_active:
        services.deactivate_account(former, acting_account=acting_account)
    new_primary.kind = User.Kind.PRIMARY
    new_primary.session_generation += 1
    new_primary.save(update_fields=["kind", "session_generation"])
    forget_sessions(new_primary, keep=current_session)

    pending = HandoverProposal.objects.select_for_update().filter(organisme=organisme).first()
    if pending is not None:
        if pending != accepted_proposal:
            record(
                AuditEntry.Action.HANDOVER_CANCELLED,
                account=pending.proposed_to,
                acting_account=acting_account,
                organisme=organisme,
                changes={"reason": "role_handed_over"},
            )
        pending.delete()

    changes = {
        "former_primary": former.civil_name,
        "new_primary": new_primary.civil_name,
        "former_primary_becomes": former_becomes.value,
        "by_proposal": accepted_proposal is not None,
    }
    record(
        AuditEntry.Action.ROLE_HANDED_OVER,
        account=new_primary,
        acting_account=acting_account,
        organisme=organisme,
        changes=changes,
    )
    context = {
        "organisme": organisme,
        "former": former,
        "new_primary": new_primary,
        "former_deactivated": former_becomes == FormerPrimaryBecomes.DEACTIVATED,
        "by_proposal": accepted_proposal is not None,
        "home_url": _home_url(),
        "login_url": absolute_url(reverse("accounts:login")),
    }
    send_email(to=new_primary, template="role_handed_over_new", context=context)
    send_email(to=former, template="role_handed_over_former", context=context)
    return new_primary


@transaction.atomic
def propose_handover(*, proposed_to: User, acting_account: User) -> HandoverProposal:
    """`acting_account`, an organisme's primary account, offers its role to
    `proposed_to`, one of its secondary accounts, who is told by e-mail and
    answers from their home page."""
    if acting_account.organisme_id is None:
        raise HandoverRefused("Seul le compte principal d’un organisme peut proposer son rôle.")
    organisme = _lock_organisme(acting_account.organisme_id)
    proposer = User.objects.alive().select_for_update().filter(pk=acting_account.pk).first()
    if proposer is None or not (proposer.is_primary and proposer.can_log_in):
        raise HandoverRefused("Seul le compte principal d’un organisme peut proposer son rôle.")
    addressee = eligible_successors(organisme).select_for_update().filter(pk=proposed_to.pk).first()
    if addressee is None:
        raise HandoverRefused(
            "Le rôle de compte principal ne peut être proposé qu’à un compte secondaire actif de l’organisme."
        )
    if HandoverProposal.objects.filter(organisme=organisme).exists():
        raise HandoverRefused(
            "Une proposition du rôle de compte principal est déjà en attente pour cet organisme : "
            "annulez-la avant d’en faire une autre."
        )
    proposal = HandoverProposal.objects.create(organisme=organisme, proposed_by=proposer, proposed_to=addressee)
    record(
        AuditEntry.Action.HANDOVER_PROPOSED,
        account=addressee,
        acting_account=proposer,
        organisme=organisme,
        changes={"proposed_by": proposer.civil_name, "proposed_to": addressee.civil_name},
    )
    send_email(
        to=addressee,
        template="handover_proposed",
        context={"proposal": proposal, "home_url": _home_url()},
    )
    return proposal


@transaction.atomic
def accept_handover(proposal: HandoverProposal, *, acting_account: User, current_session: str | None = None) -> User:
    """The person a proposal is made to accepts it: they become the primary
    account and its author a secondary account. Their other sessions end;
    `current_session` (the key digest of the one that accepted) goes on.
    Returns the new primary account."""
    _lock_organisme(proposal.organisme_id)
    locked = _locked_pending_proposal(proposal)
    if locked is None:
        raise HandoverRefused("Cette proposition n’est plus en attente : elle a été annulée ou acceptée.")
    proposal = locked
    if proposal.proposed_to_id != acting_account.pk:
        raise HandoverRefused("Seule la personne à qui le rôle est proposé peut accepter la proposition.")
    stale_reason = proposal.stale_reason()
    if stale_reason:
        raise HandoverRefused("Cette proposition n’est plus valable. %(reason)s" % {"reason": stale_reason})
    return _hand_over(
        organisme_id=proposal.organisme_id,
        new_primary_id=proposal.proposed_to_id,
        former_becomes=FormerPrimaryBecomes.SECONDARY,
        acting_account=acting_account,
        accepted_proposal=proposal,
        current_session=current_session,
    )


@transaction.atomic
def cancel_handover(proposal: HandoverProposal, *, acting_account: User) -> None:
    """Either side withdraws a pending proposal (the person it is made to
    declines it); the other side is told by e-mail. A proposal that can no
    longer be accepted may still be cancelled, which clears the way for another."""
    _lock_organisme(proposal.organisme_id)
    locked = _locked_pending_proposal(proposal)
    if locked is None:
        raise HandoverRefused("Cette proposition n’est plus en attente : elle a été annulée ou acceptée.")
    proposal = locked
    if acting_account.pk not in (proposal.proposed_by_id, proposal.proposed_to_id):
        raise HandoverRefused("Seules les deux personnes concernées peuvent annuler la proposition.")
    declined = acting_account.pk == proposal.proposed_to_id
    record(
        AuditEntry.Action.HANDOVER_CANCELLED,
        account=proposal.proposed_to,
        acting_account=acting_account,
        organisme=proposal.organisme,
        changes={
            "reason": "declined" if declined else "withdrawn",
            "proposed_by": proposal.proposed_by.civil_name,
            "proposed_to": proposal.proposed_to.civil_name,
        },
    )
    told = proposal.proposed_by if declined else proposal.proposed_to
    if told.email:
        send_email(
            to=told,
            template="handover_cancelled",
            context={"proposal": proposal, "declined": declined, "home_url": _home_url()},
        )
    proposal.delete()
