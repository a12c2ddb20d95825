"""Every change to training data goes through one of these: first what an
organisme does to its actions (inscriptions, hours, periods), then what a
Region agent does to the training it buys (actions, seats, invoices).

Each runs in one transaction. Edits of a form write only if the record is
still at the version the user's form was based on (core.versioning):
otherwise StaleEdit is raised and nothing is written.

Actions, inscriptions and periods carry their version, updated_at and
updated_by; invoices, which have no version, keep their author and write an
entry in the audit trail for each change.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from audit.services import record
from core.versioning import StaleEdit, save_if_unchanged
from organisations.models import Organisme
from training import bilans as bilan_rules
from training.dashboard import forget_dashboard
from training.models import (
    EVENT_OF_STATUS,
    ActionFormation,
    Bilan,
    DeclarationHeures,
    Facture,
    FactureEvent,
    Inscription,
    PeriodeDeclaration,
    Stagiaire,
    identity,
)
from training.periods import complete_periods

IDENTITY_FIELDS = ("nom", "prenom", "date_naissance")


def _trainee_for(inscription: Inscription, data: dict[str, Any]) -> Stagiaire:
    """The organisme's Stagiaire the entered identity designates: found by its
    identifiant France Travail among the organisme's own trainees, created if
    new, corrected if it is this inscription's. Another organisme's trainees
    are never read (README, « Un stagiaire par organisme »)."""
    identifiant = data["identifiant_france_travail"]
    organisme_id = inscription.action.organisme_id
    own_trainees = Stagiaire.objects.select_for_update().filter(organisme_id=organisme_id)
    stagiaire = own_trainees.filter(identifiant_france_travail=identifiant).first()
    if stagiaire is None:
        if inscription.stagiaire_id:
            # A corrected identifiant: the same person, mistyped.
            stagiaire = own_trainees.get(pk=inscription.stagiaire_id)
            for field in (*IDENTITY_FIELDS, "identifiant_france_travail"):
                setattr(stagiaire, field, data[field])
            stagiaire.save()
            return stagiaire
        # Two seats may name the same new trainee at once: get_or_create then
        # finds the one the other save created, checked like any known one.
        stagiaire, created = Stagiaire.objects.get_or_create(
            organisme_id=organisme_id,
            identifiant_france_travail=identifiant,
            defaults={field: data[field] for field in IDENTITY_FIELDS},
        )
        if created:
            return stagiaire
    if stagiaire.identity == identity(data["nom"], data["prenom"], data["date_naissance"]):
        return stagiaire
    if stagiaire.pk == inscription.stagiaire_id:
        for field in IDENTITY_FIELDS:
            setattr(stagiaire, field, data[field])
        stagiaire.save(update_fields=IDENTITY_FIELDS)
        return stagiaire
    raise ValidationError(
        {
            "identifiant_france_travail": (
                "Cet identifiant France Travail est déjà celui d’un de vos stagiaires dont le nom, le prénom ou la "
                "date de naissance diffèrent : vérifiez votre saisie."
            )
        }
    )


@transaction.atomic
def save_inscription(
    inscription: Inscription, *, based_on_version: int, data: dict[str, Any], acting_account: User
) -> Inscription:
    """Enter (a seat "en attente de saisie") or correct an inscription."""
    # Lock the seat first: a parallel save of it waits here, then finds the
    # version moved on, before either creates a trainee.
    locked = Inscription.objects.select_for_update().filter(pk=inscription.pk, version=based_on_version)
    if not locked.exists():
        raise StaleEdit(Inscription.objects.get(pk=inscription.pk))
    stagiaire = _trainee_for(inscription, data)
    taken = (
        Inscription.objects.filter(action_id=inscription.action_id, stagiaire=stagiaire)
        .exclude(pk=inscription.pk)
        .exists()
    )
    if taken:
        raise ValidationError({"identifiant_france_travail": "Ce stagiaire est déjà inscrit sur cette action."})
    return save_if_unchanged(
        inscription,
        based_on_version=based_on_version,
        changes={"stagiaire": stagiaire, "date_entree": data["date_entree"], "date_sortie": data["date_sortie"]},
        acting_account=acting_account,
    )


class PeriodAlreadyValidated(Exception):
    pass


def _claim_period(
    periode: PeriodeDeclaration,
    *,
    based_on_version: int,
    acting_account: User,
    changes: dict[str, Any] | None = None,
) -> PeriodeDeclaration:
    """Move the period to its next version, only if unchanged and not validated:
    the period's version guards its hours."""
    if periode.is_validated:
        raise PeriodAlreadyValidated
    return save_if_unchanged(
        periode, based_on_version=based_on_version, changes=changes or {}, acting_account=acting_account
    )


@transaction.atomic
def save_hours(
    periode: PeriodeDeclaration, *, based_on_version: int, hours: dict[int, Decimal | None], acting_account: User
) -> PeriodeDeclaration:
    """Set the hours each trainee did in the period; `hours` maps inscription
    ids to a number of hours, or None to clear it."""
    _claim_period(periode, based_on_version=based_on_version, acting_account=acting_account)
    for inscription_id, value in hours.items():
        if value is None:
            DeclarationHeures.objects.filter(periode=periode, inscription_id=inscription_id).delete()
        else:
            DeclarationHeures.objects.update_or_create(
                periode=periode, inscription_id=inscription_id, defaults={"heures": value}
            )
    return periode


@transaction.atomic
def validate_period(periode: PeriodeDeclaration, *, based_on_version: int, acting_account: User) -> PeriodeDeclaration:
    return _claim_period(
        periode,
        based_on_version=based_on_version,
        acting_account=acting_account,
        changes={"validated_at": timezone.now(), "validated_by_name": acting_account.full_name},
    )


def stored_hours(periode: PeriodeDeclaration) -> dict[int, Decimal]:
    return dict(DeclarationHeures.objects.filter(periode=periode).values_list("inscription_id", "heures"))


# What a Region agent does to the training it buys.


class BdcAlreadyUsed(Exception):
    pass


class NotEnoughPlaces(Exception):
    def __init__(self, available: int) -> None:
        super().__init__(f"only {available} places left")
        self.available = available


class PlacesBelowInscriptions(Exception):
    def __init__(self, inscriptions: int) -> None:
        super().__init__(f"the action already has {inscriptions} inscriptions")
        self.inscriptions = inscriptions


class ActionAlreadyInState(Exception):
    """Closing a closed action, or reopening an open one."""


class InvoiceNumberAlreadyUsed(Exception):
    pass


class InvoiceAlreadyPaid(Exception):
    pass


class InvoiceStatusChanged(Exception):
    """The invoice's status is no longer the one the change was based on; `current` is the invoice now."""

    def __init__(self, current: Facture) -> None:
        super().__init__(f"invoice {current.pk} is now {current.status}")
        self.current = current


def _stamp(acting_account: User) -> dict[str, Any]:
    return {"updated_at": timezone.now(), "updated_by": acting_account, "updated_by_name": acting_account.full_name}


def create_action(*, organisme: Organisme, data: dict[str, Any], acting_account: User) -> ActionFormation:
    try:
        with transaction.atomic():
            return ActionFormation.objects.create(organisme=organisme, **data, **_stamp(acting_account))
    except IntegrityError as error:
        # A parallel creation took the number between the form's check and ours.
        if ActionFormation.objects.filter(numero_bdc=data["numero_bdc"]).exists():
            raise BdcAlreadyUsed from error
        raise


@transaction.atomic
def update_action(
    action: ActionFormation, *, based_on_version: int, data: dict[str, Any], acting_account: User
) -> ActionFormation:
    """Writes the action's data if it is still at `based_on_version` (raises
    StaleEdit otherwise), never with fewer places than its inscriptions."""
    # Locked as announce_seats locks it: no seat is announced between the count and the save.
    stored = ActionFormation.objects.select_for_update().get(pk=action.pk)
    inscriptions = stored.inscriptions.count()
    # A stale edit is reported as such by save_if_unchanged, with who saved in between.
    if stored.version == based_on_version and data["places"] < inscriptions:
        raise PlacesBelowInscriptions(inscriptions)
    try:
        with transaction.atomic():
            return save_if_unchanged(
                action,
                based_on_version=based_on_version,
                changes=data | {"search_text": action.search_text_with(data)},
                acting_account=acting_account,
            )
    except IntegrityError as error:
        # Another action took the number between the form's check and ours.
        if ActionFormation.objects.filter(numero_bdc=data["numero_bdc"]).exclude(pk=action.pk).exists():
            raise BdcAlreadyUsed from error
        raise


def set_action_closed(
    action: ActionFormation, *, closed: bool, based_on_version: int, acting_account: User
) -> ActionFormation:
    """Closes (`closed`) or reopens the action, if it is still at `based_on_version`."""
    # A stale request is reported as such by save_if_unchanged, with who saved in between.
    if action.version == based_on_version and (action.closed_at is not None) == closed:
        raise ActionAlreadyInState
    return save_if_unchanged(
        action,
        based_on_version=based_on_version,
        changes={"closed_at": timezone.now() if closed else None},
        acting_account=acting_account,
    )


@transaction.atomic
def announce_seats(action: ActionFormation, *, count: int, acting_account: User) -> ActionFormation:
    """Creates `count` seats "en attente de saisie", never more seats than the action's places."""
    # Locked so that two agents announcing at once cannot exceed the places.
    action = ActionFormation.objects.select_for_update().get(pk=action.pk)
    available = action.places - action.inscriptions.count()
    if count > available:
        raise NotEnoughPlaces(max(available, 0))
    Inscription.objects.bulk_create(Inscription(action=action, **_stamp(acting_account)) for _ in range(count))
    forget_dashboard(action.organisme_id)
    return action


def _record_invoice_entry(audit_action: str, facture: Facture, *, acting_account: User, **details: Any) -> None:
    record(
        audit_action,
        account=None,
        organisme=facture.action.organisme,
        acting_account=acting_account,
        changes={
            "invoice": facture.numero,
            "bdc": facture.action.numero_bdc,
            "invoice_status": facture.status,
            **details,
        },
    )


def _history_line(facture: Facture, kind: str, *, acting_account: User, comment: str = "") -> FactureEvent:
    return FactureEvent.objects.create(facture=facture, kind=kind, by_name=acting_account.full_name, comment=comment)


def record_invoice(
    action: ActionFormation, *, numero: str, montant: Decimal, status: str, acting_account: User
) -> Facture:
    facture = Facture(
        action=action,
        numero=numero,
        montant=montant,
        recorded_by=acting_account,
        recorded_by_name=acting_account.full_name,
        updated_by=acting_account,
        updated_by_name=acting_account.full_name,
    )
    _set_status(facture, status)
    try:
        with transaction.atomic():
            facture.save()
            _history_line(facture, FactureEvent.Kind.EMISE, acting_account=acting_account)
            if status != Facture.Status.EN_ATTENTE_VALIDATION:
                _history_line(facture, EVENT_OF_STATUS[Facture.Status(status)], acting_account=acting_account)
            _record_invoice_entry(AuditEntry.Action.INVOICE_RECORDED, facture, acting_account=acting_account)
    except IntegrityError as error:
        if Facture.objects.filter(action=action, numero=numero).exists():
            raise InvoiceNumberAlreadyUsed from error
        raise
    return facture


class RejectionReasonMissing(Exception):
    """A Région agent rejects an invoice without saying why."""


@transaction.atomic
def change_invoice_status(
    facture: Facture, *, based_on_status: str, status: str, acting_account: User, reason: str = ""
) -> Facture:
    """Gives the invoice `status` if it still has `based_on_status`, the status
    its user saw: one conditional UPDATE, so no change overwrites another. A
    rejection says why (`reason`): the organisme reads it on the invoice's page."""
    reason = reason.strip()
    if status == Facture.Status.REJETEE and status != based_on_status and not reason:
        raise RejectionReasonMissing
    changes: dict[str, Any] = {"status": status}
    if status != based_on_status:
        changes["rejected_on"] = timezone.localdate() if status == Facture.Status.REJETEE else None
        changes["rejection_reason"] = reason if status == Facture.Status.REJETEE else ""
    updated = (
        Facture.objects.filter(pk=facture.pk, status=based_on_status)
        .exclude(status=Facture.Status.PAYEE)
        .update(**changes, **_stamp(acting_account), version=F("version") + 1)
    )
    if not updated:
        current = Facture.objects.get(pk=facture.pk)
        if current.status != based_on_status:
            raise InvoiceStatusChanged(current)
        raise InvoiceAlreadyPaid
    facture.refresh_from_db()
    if status != based_on_status:
        _history_line(
            facture,
            EVENT_OF_STATUS[Facture.Status(status)],
            acting_account=acting_account,
            comment=changes["rejection_reason"],
        )
    details = {"rejection_reason": facture.rejection_reason} if facture.is_rejected else {}
    _record_invoice_entry(AuditEntry.Action.INVOICE_STATUS_CHANGED, facture, acting_account=acting_account, **details)
    forget_dashboard(facture.action.organisme_id)
    return facture


class InvoiceNotRejected(Exception):
    """Only a rejected invoice may be corrected by its organisme."""


@transaction.atomic
def correct_invoice(
    facture: Facture, *, based_on_version: int, numero: str, montant: Decimal, acting_account: User
) -> Facture:
    """The organisme corrects a rejected invoice and submits it again: it is
    back « en attente de validation » for the Région. Written only if the
    invoice is still at `based_on_version` (StaleEdit otherwise)."""
    stored = Facture.objects.select_for_update().get(pk=facture.pk)
    if stored.version == based_on_version and not stored.is_rejected:
        raise InvoiceNotRejected
    corrected = [
        label
        for label, before, after in (("numéro", stored.numero, numero), ("montant", stored.montant, montant))
        if before != after
    ]
    try:
        with transaction.atomic():
            save_if_unchanged(
                facture,
                based_on_version=based_on_version,
                changes={
                    "numero": numero,
                    "montant": montant,
                    "status": Facture.Status.EN_ATTENTE_VALIDATION,
                    "rejected_on": None,
                },
                acting_account=acting_account,
            )
    except IntegrityError as error:
        raise InvoiceNumberAlreadyUsed from error
    _history_line(
        facture,
        FactureEvent.Kind.CORRIGEE,
        acting_account=acting_account,
        comment=f"Corrigé\u00a0: {', '.join(corrected)}." if corrected else "",
    )
    _record_invoice_entry(
        AuditEntry.Action.INVOICE_CORRECTED, facture, acting_account=acting_account, invoice_amount=str(montant)
    )
    return facture


def _set_status(facture: Facture, status: str) -> None:
    """A rejected invoice carries the day it was rejected; the date goes when it is no longer rejected."""
    facture.status = status
    facture.rejected_on = timezone.localdate() if status == Facture.Status.REJETEE else None


# Bilans and questionnaires (training/bilans.py says when each is due).


class BilanAlreadyValidated(Exception):
    """A validated bilan is read-only for the organisme until the Région reopens it."""


class BilanNotValidated(Exception):
    """Only a validated bilan can be reopened."""


BILAN_FIELDS = ("situation", "situation_autre", "date_situation", "reponses", "commentaire")


def _bilan_at(inscription: Inscription, kind: str, based_on_version: int) -> Bilan:
    """The inscription's bilan of `kind`, created at the first save (version 0:
    the form was read before anyone saved it). StaleEdit if someone created it
    in between."""
    if based_on_version == 0:
        bilan, created = Bilan.objects.get_or_create(inscription=inscription, kind=kind)
        if not created:
            raise StaleEdit(Bilan.objects.select_related("updated_by").get(pk=bilan.pk))
        return bilan
    return Bilan.objects.get(inscription=inscription, kind=kind)


def _bilan_audit(audit_action: str, bilan: Bilan, *, acting_account: User) -> None:
    inscription = bilan.inscription
    record(
        audit_action,
        account=None,
        organisme=inscription.action.organisme,
        acting_account=acting_account,
        changes={
            "bdc": inscription.action.numero_bdc,
            "bilan": bilan.get_kind_display(),
            "stagiaire": str(inscription.stagiaire),
        },
    )


def _bilan_changes(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: data.get(name) or ({} if name == "reponses" else None if name == "date_situation" else "")
        for name in BILAN_FIELDS
    }


@transaction.atomic
def save_bilan(
    inscription: Inscription, *, kind: str, based_on_version: int, data: dict[str, Any], acting_account: User
) -> Bilan:
    """Save the bilan as a draft: nothing is required yet."""
    bilan = _bilan_at(inscription, kind, based_on_version)
    version = bilan.version if based_on_version == 0 else based_on_version
    if bilan.is_validated and bilan.version == version:
        raise BilanAlreadyValidated
    bilan = save_if_unchanged(
        bilan, based_on_version=version, changes=_bilan_changes(data), acting_account=acting_account
    )
    _bilan_audit(AuditEntry.Action.BILAN_SAVED, bilan, acting_account=acting_account)
    return bilan


@transaction.atomic
def validate_bilan(
    inscription: Inscription, *, kind: str, based_on_version: int, data: dict[str, Any], acting_account: User
) -> Bilan:
    """Save the bilan with `data` and validate it: it is then read-only for the
    organisme. ValidationError names each field still missing."""
    missing = bilan_rules.missing_for_validation(kind, data)
    if missing:
        raise ValidationError(missing)
    bilan = _bilan_at(inscription, kind, based_on_version)
    version = bilan.version if based_on_version == 0 else based_on_version
    if bilan.is_validated and bilan.version == version:
        raise BilanAlreadyValidated
    changes = _bilan_changes(data) | {"validated_at": timezone.now(), "validated_by_name": acting_account.full_name}
    bilan = save_if_unchanged(bilan, based_on_version=version, changes=changes, acting_account=acting_account)
    _bilan_audit(AuditEntry.Action.BILAN_VALIDATED, bilan, acting_account=acting_account)
    return bilan


@transaction.atomic
def reopen_bilan(bilan: Bilan, *, based_on_version: int, acting_account: User) -> Bilan:
    """The Région gives a validated bilan back to the organisme, as a draft."""
    if not bilan.is_validated and bilan.version == based_on_version:
        raise BilanNotValidated
    bilan = save_if_unchanged(
        bilan,
        based_on_version=based_on_version,
        changes={"validated_at": None, "validated_by_name": ""},
        acting_account=acting_account,
    )
    _bilan_audit(AuditEntry.Action.BILAN_REOPENED, bilan, acting_account=acting_account)
    return bilan


# Declaration periods validated in one step.


@dataclass
class BulkValidation:
    validated: list[PeriodeDeclaration] = field(default_factory=list)
    # Changed by someone else, validated meanwhile, or no longer complete: left as they are.
    left_out: list[PeriodeDeclaration] = field(default_factory=list)


@transaction.atomic
def validate_complete_periods(
    action: ActionFormation, *, versions: dict[int, int], today: datetime.date, acting_account: User
) -> BulkValidation:
    """Validate each period of `versions` (period id → the version the user
    confirmed) that is still complete and at that version; the others are
    left out, never overwritten."""
    outcome = BulkValidation()
    complete = {periode.pk: periode for periode in complete_periods(action, today)}
    now = timezone.now()
    stored = action.periodes.filter(pk__in=versions).select_related("updated_by").order_by("mois")
    for periode in stored:
        if periode.pk not in complete or periode.version != versions[periode.pk]:
            outcome.left_out.append(periode)
            continue
        try:
            with transaction.atomic():
                save_if_unchanged(
                    periode,
                    based_on_version=versions[periode.pk],
                    changes={"validated_at": now, "validated_by_name": acting_account.full_name},
                    acting_account=acting_account,
                )
        except StaleEdit as stale:
            outcome.left_out.append(stale.current)
        else:
            outcome.validated.append(periode)
    if outcome.validated:
        record(
            AuditEntry.Action.PERIODS_VALIDATED,
            account=None,
            organisme=action.organisme,
            acting_account=acting_account,
            changes={"bdc": action.numero_bdc, "periodes": ", ".join(f"{p.mois:%m/%Y}" for p in outcome.validated)},
        )
    return outcome
