"""What a Region agent does to the training it buys: create an action for an
organisme, announce its seats, record its invoices and their states."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.versioning import save_if_unchanged
from training.dashboard import forget_dashboard
from training.models import ActionFormation, Facture, Inscription


class BdcAlreadyUsed(Exception):
    pass


class NotEnoughPlaces(Exception):
    def __init__(self, available):
        super().__init__(f"only {available} places left")
        self.available = available


class PlacesBelowInscriptions(Exception):
    def __init__(self, inscriptions):
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

    def __init__(self, current):
        super().__init__(f"invoice {current.pk} is now {current.status}")
        self.current = current


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
def update_action(action, *, based_on_version, data, acting_account):
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
                action, based_on_version=based_on_version, changes=data, acting_account=acting_account
            )
    except IntegrityError as error:
        # Another action took the number between the form's check and ours.
        if ActionFormation.objects.filter(numero_bdc=data["numero_bdc"]).exclude(pk=action.pk).exists():
            raise BdcAlreadyUsed from error
        raise


def set_action_closed(action, *, closed, based_on_version, acting_account):
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
def announce_seats(action, *, count, acting_account):
    """Creates `count` seats "en attente de saisie", never more seats than the action's places."""
    # Locked so that two agents announcing at once cannot exceed the places.
    action = ActionFormation.objects.select_for_update().get(pk=action.pk)
    available = action.places - action.inscriptions.count()
    if count > available:
        raise NotEnoughPlaces(max(available, 0))
    Inscription.objects.bulk_create(Inscription(action=action, **_stamp(acting_account)) for _ in range(count))
    forget_dashboard(action.organisme_id)
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


def change_invoice_status(facture, *, based_on_status, status):
    """Gives the invoice `status` if it still has `based_on_status`, the status
    its user saw: one conditional UPDATE, so no change overwrites another."""
    changes = {"status": status}
    if status != based_on_status:
        changes["rejected_on"] = timezone.localdate() if status == Facture.Status.REJETEE else None
    updated = (
        Facture.objects.filter(pk=facture.pk, status=based_on_status)
        .exclude(status=Facture.Status.PAYEE)
        .update(**changes)
    )
    if not updated:
        current = Facture.objects.get(pk=facture.pk)
        if current.status != based_on_status:
            raise InvoiceStatusChanged(current)
        raise InvoiceAlreadyPaid
    forget_dashboard(facture.action.organisme_id)
    facture.refresh_from_db()
    return facture


def _set_status(facture, status):
    """A rejected invoice carries the day it was rejected; the date goes when it is no longer rejected."""
    facture.status = status
    facture.rejected_on = timezone.localdate() if status == Facture.Status.REJETEE else None
