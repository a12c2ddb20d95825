"""Actions on organismes. Like accounts.services, each runs in one transaction
and leaves its trail through the account actions it calls."""

from django.db import IntegrityError, transaction

from accounts import services as account_services
from accounts.models import User
from organisations.models import Organisme


class SiretAlreadyUsed(Exception):
    """Another organisme took this SIRET between the form's check and the save."""


@transaction.atomic
def create_organisme_with_primary_account(
    *, raison_sociale, enseigne, siret, civilite, last_name, first_name, email, acting_account
):
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
