"""Actions on organismes. Like accounts.services, each runs in one transaction
and leaves its trail through the account actions it calls."""

from django.db import IntegrityError, transaction

from accounts import services as account_services
from accounts.models import User
from audit.models import AuditEntry
from audit.services import record
from organisations.models import Organisme


class SiretAlreadyUsed(Exception):
    """Another organisme took this SIRET between the form's check and the save."""


@transaction.atomic
def create_organisme_with_primary_account(
    *,
    raison_sociale: str,
    enseigne: str,
    siret: str,
    civilite: str,
    last_name: str,
    first_name: str,
    email: str,
    acting_account: User | None,
) -> tuple[Organisme, User]:
    """Create an organisme and its primary account, whose user gets the same
    first e-mail as a secondary account's and generates a password the same way."""
    try:
        with transaction.atomic():
            organisme = Organisme.objects.create(raison_sociale=raison_sociale, enseigne=enseigne, siret=siret)
    except IntegrityError as error:
        raise SiretAlreadyUsed(siret) from error
    primary = account_services.create_account(
        organisme=organisme,
        kind=User.Kind.PRIMARY,
        acting_account=acting_account,
        civilite=civilite,
        last_name=last_name,
        first_name=first_name,
        email=email,
    )
    return organisme, primary


@transaction.atomic
def set_two_factor_requirement(organisme: Organisme, *, required: bool, acting_account: User) -> None:
    """Require a second factor of every account of the organisme, or stop
    requiring it. Accounts without one are sent to enrolment at their next
    login; nobody loses the second factor they have when it is no longer required."""
    if organisme.two_factor_required == required:
        return
    Organisme.objects.filter(pk=organisme.pk).update(two_factor_required=required)
    record(
        AuditEntry.Action.TWO_FACTOR_REQUIREMENT_CHANGED,
        account=None,
        organisme=organisme,
        acting_account=acting_account,
        changes={"two_factor_required": [organisme.two_factor_required, required]},
    )
    organisme.two_factor_required = required
