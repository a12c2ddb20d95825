"""The organismes and accounts of the user guide's examples, as the fixtures of
tests/conftest.py make them for one test, and as a test file that shares one
world between its tests makes them once (tests/worlds.py)."""

from tests.factories import OrganismeFactory, UserFactory


def organisme():
    return OrganismeFactory(raison_sociale="ORGANISME TEST PRF 23", siret="12345678913000")


def primary_account(organisme):
    return UserFactory(primary=True, organisme=organisme, identifiant="66bdj5zw4x", last_name="BLA", first_name="PAU")


def secondary_account(organisme):
    return UserFactory(
        organisme=organisme,
        identifiant="test.identifiant",
        civilite="madame",
        last_name="NOM TEST COMPTE",
        first_name="PRENOM TEST COMPTE",
        email="aa1@aa.fr",
    )


def second_secondary_account(organisme):
    """The guide's other secondary account: Monsieur GU Be."""
    return UserFactory(
        organisme=organisme,
        identifiant="8wwapv3bzk",
        civilite="monsieur",
        last_name="GU",
        first_name="Be",
        email="aa@aa.fr",
    )


def other_organisme():
    return OrganismeFactory(raison_sociale="FORMATIONS DU MIDI")


def other_primary_account(other_organisme):
    return UserFactory(primary=True, organisme=other_organisme, identifiant="durand.fdm")


def other_secondary_account(other_organisme):
    return UserFactory(organisme=other_organisme, identifiant="autre.secondaire")


def region_agent():
    return UserFactory(region_agent=True, identifiant="agent.region")
