"""Every change an organisme makes to its actions goes through one of these.

Each runs in one transaction and writes only if the record is still at the
version the user's form was based on (core.versioning): otherwise StaleEdit
is raised and nothing is written.

The audit trail (audit.AuditEntry) records what happens to accounts; it has
no entry kinds for training data, so these actions rely on each record's
version, updated_at and updated_by instead.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.versioning import StaleEdit, save_if_unchanged
from training.models import DeclarationHeures, Inscription, Stagiaire, identity

IDENTITY_FIELDS = ("nom", "prenom", "date_naissance")


def _trainee_for(inscription, data):
    """The organisme's Stagiaire the entered identity designates: found by its
    identifiant France Travail among the organisme's own trainees, created if
    new, corrected if it is this inscription's. Another organisme's trainees
    are never read (README, « Un stagiaire par organisme »)."""
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
            "identifiant_france_travail": _(
                "Cet identifiant France Travail est déjà celui d'un de vos stagiaires dont le nom, le prénom ou la "
                "date de naissance diffèrent : vérifiez votre saisie."
            )
        }
    )


@transaction.atomic
def save_inscription(inscription, *, based_on_version, data, acting_account):
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
        raise ValidationError({"identifiant_france_travail": _("Ce stagiaire est déjà inscrit sur cette action.")})
    return save_if_unchanged(
        inscription,
        based_on_version=based_on_version,
        changes={"stagiaire": stagiaire, "date_entree": data["date_entree"], "date_sortie": data["date_sortie"]},
        acting_account=acting_account,
    )


class PeriodAlreadyValidated(Exception):
    pass


def _claim_period(periode, *, based_on_version, acting_account, changes=None):
    """Move the period to its next version, only if unchanged and not validated:
    the period's version guards its hours."""
    if periode.is_validated:
        raise PeriodAlreadyValidated
    return save_if_unchanged(
        periode, based_on_version=based_on_version, changes=changes or {}, acting_account=acting_account
    )


@transaction.atomic
def save_hours(periode, *, based_on_version, hours, acting_account):
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
def validate_period(periode, *, based_on_version, acting_account):
    return _claim_period(
        periode,
        based_on_version=based_on_version,
        acting_account=acting_account,
        changes={"validated_at": timezone.now(), "validated_by_name": acting_account.full_name},
    )


def stored_hours(periode):
    return dict(DeclarationHeures.objects.filter(periode=periode).values_list("inscription_id", "heures"))
