import pytest

from accounts.models import User
from organisations import services
from organisations.models import Organisme
from tests.factories import OrganismeFactory

NEW_ORGANISME = {
    "raison_sociale": "CENTRE DE FORMATION DES ÉCLUSES",
    "enseigne": "",
    "siret": "44112233000018",
    "civilite": "monsieur",
    "last_name": "LÉGER",
    "first_name": "Hervé",
    "email": "herve.leger@ecluses.fr",
}


def test_an_organisme_is_created_with_its_primary_account(region_agent):
    organisme, primary = services.create_organisme_with_primary_account(acting_account=region_agent, **NEW_ORGANISME)

    assert organisme.primary_account == primary
    assert primary.kind == User.Kind.PRIMARY
    assert primary.password_state == User.PasswordState.NOT_SET


def test_a_siret_taken_meanwhile_creates_nothing(region_agent):
    # What a second agent submitting the same SIRET at the same moment runs into:
    # the form's uniqueness check passed, the database refuses.
    OrganismeFactory(siret=NEW_ORGANISME["siret"])

    with pytest.raises(services.SiretAlreadyUsed):
        services.create_organisme_with_primary_account(acting_account=region_agent, **NEW_ORGANISME)

    assert Organisme.objects.filter(siret=NEW_ORGANISME["siret"]).count() == 1
    assert not User.objects.filter(email=NEW_ORGANISME["email"]).exists()
