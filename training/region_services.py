"""What a Region agent does to the training it buys: create an action for an
organisme, announce its seats, record its invoices and their states."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from training.models import ActionFormation, Facture, Inscription


class BdcAlreadyUsed(Exception):
    pass


class NotEnoughPlaces(Exception):
    def __init__(self, available):
        super().__init__(f"only {available} places left")
        self.available = available


class InvoiceNumberAlreadyUsed(Exception):
    pass


class InvoiceAlreadyPaid(Exception):
    pass


def _stamp(acting_account):
    return {"updated_at": timezone.now(), "updated_by": acting_account, "updated_by_name": acting_account.full_name}


def create_action(*, organisme, data, acting_account):
    try:
        with transaction.atomic():
            return ActionFormation.objects.create(organisme=organisme, **data, **_stamp(acting_account))
    except IntegrityError as error:
        # A parallel creation took the number between the form's check and ours.
        if ActionFormation.objects.filter(numero_bdc=data["numero_bdc"]).exists():
            raise BdcAlreadyUsed from error
        raise


@transaction.atomic
def announce_seats(action, *, count, acting_account):
    """Creates `count` seats "en attente de saisie", never more seats than the action's places."""
    # Locked so that two agents announcing at once cannot exceed the places.
    action = ActionFormation.objects.select_for_update().get(pk=action.pk)
    available = action.places - action.inscriptions.count()
    if count > available:
        raise NotEnoughPlaces(max(available, 0))
    Inscription.objects.bulk_create(Inscription(action=action, **_stamp(acting_account)) for _ in range(count))
    return action


def record_invoice(action, *, numero, montant, status):
    facture = Facture(action=action, numero=numero, montant=montant)
    _set_status(facture, status)
    try:
        with transaction.atomic():
            facture.save()
    except IntegrityError as error:
        if Facture.objects.filter(action=action, numero=numero).exists():
            raise InvoiceNumberAlreadyUsed from error
        raise
    return facture


@transaction.atomic
def change_invoice_status(facture, *, status):
    facture = Facture.objects.select_for_update().get(pk=facture.pk)
    if facture.status == Facture.Status.PAYEE:
        raise InvoiceAlreadyPaid
    _set_status(facture, status)
    facture.save(update_fields=["status", "rejected_on"])
    return facture


def _set_status(facture, status):
    """A rejected invoice carries the day it was rejected; the date goes when it is no longer rejected."""
    facture.status = status
    facture.rejected_on = timezone.localdate() if status == Facture.Status.REJETEE else None
