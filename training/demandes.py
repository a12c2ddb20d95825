"""The actions on demandes de modification: an organisme account files one on
its action, a Région agent accepts or refuses it with a comment, and whoever
filed it is told by e-mail. Each writes its audit entry in its transaction."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from audit.services import record
from core.versioning import save_if_unchanged
from outbox.emails import absolute_url, send_email
from training.models import ActionFormation, DemandeModification


class DemandeAlreadyAnswered(Exception):
    """The demande was accepted or refused already: its answer stays."""


def _record(audit_action: str, demande: DemandeModification, *, acting_account: User, **details: str) -> None:
    record(
        audit_action,
        account=None,
        organisme=demande.action.organisme,
        acting_account=acting_account,
        changes={"bdc": demande.action.numero_bdc, "demande_objet": demande.objet, **details},
    )


@transaction.atomic
def file_demande(action: ActionFormation, *, objet: str, explication: str, acting_account: User) -> DemandeModification:
    """An organisme account asks the Région to change its action."""
    demande = DemandeModification.objects.create(
        action=action,
        objet=objet,
        explication=explication,
        created_by=acting_account,
        created_by_name=acting_account.full_name,
        updated_by=acting_account,
        updated_by_name=acting_account.full_name,
    )
    _record(AuditEntry.Action.DEMANDE_FILED, demande, acting_account=acting_account)
    return demande


def _recipient(demande: DemandeModification) -> User | None:
    """Whoever filed the demande, or the organisme's primary account when that
    account can no longer read it."""
    filer = demande.created_by
    if filer is not None and filer.can_log_in and filer.organisme_id == demande.action.organisme_id:
        return filer
    return (
        User.objects.filter(organisme_id=demande.action.organisme_id, kind=User.Kind.PRIMARY, deleted_at__isnull=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def answer_demande(
    demande: DemandeModification, *, accept: bool, reponse: str, based_on_version: int, acting_account: User
) -> DemandeModification:
    """A Région agent accepts (`accept`) or refuses the demande, with a comment;
    written only if the demande is still at `based_on_version` (StaleEdit
    otherwise), never over an earlier answer."""
    stored = DemandeModification.objects.select_for_update().get(pk=demande.pk)
    if stored.version == based_on_version and not stored.is_pending:
        raise DemandeAlreadyAnswered
    status = DemandeModification.Status.ACCEPTEE if accept else DemandeModification.Status.REFUSEE
    save_if_unchanged(
        demande,
        based_on_version=based_on_version,
        changes={
            "status": status,
            "reponse": reponse,
            "answered_at": timezone.now(),
            "answered_by_name": acting_account.full_name,
        },
        acting_account=acting_account,
    )
    _record(
        AuditEntry.Action.DEMANDE_ACCEPTED if accept else AuditEntry.Action.DEMANDE_REFUSED,
        demande,
        acting_account=acting_account,
        reponse=reponse,
    )
    recipient = _recipient(demande)
    if recipient is not None:
        send_email(
            to=recipient,
            template="demande_answered",
            context={
                "demande": demande,
                "accepted": accept,
                "url": absolute_url(reverse("training:demande_detail", args=[demande.pk])),
            },
        )
    return demande
