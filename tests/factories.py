import random

import factory

from accounts.models import User
from organisations.models import Organisme
from organisations.validators import luhn_checksum_ok

# A password that passes every rule, shared by the accounts the factories make.
PASSWORD = "Formation-Occitanie-42!"


def random_siret():
    while True:
        candidate = "".join(random.choice("0123456789") for _ in range(14))
        if not candidate.startswith("356000000") and luhn_checksum_ok(candidate):
            return candidate


class OrganismeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisme

    raison_sociale = factory.Sequence(lambda n: f"ORGANISME DE FORMATION {n}")
    siret = factory.LazyFunction(random_siret)


class UserFactory(factory.django.DjangoModelFactory):
    """A secondary account with a chosen password; traits for the other kinds."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    identifiant = factory.Sequence(lambda n: f"compte{n:04d}")
    civilite = User.Civilite.MADAME
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda account: f"{account.identifiant}@exemple.fr")
    organisme = factory.SubFactory(OrganismeFactory)
    kind = User.Kind.SECONDARY
    password_state = User.PasswordState.CHOSEN

    @factory.post_generation
    def password(account, create, extracted, **kwargs):
        account.set_password(extracted or PASSWORD)
        if create:
            account.save(update_fields=["password"])

    class Params:
        primary = factory.Trait(kind=User.Kind.PRIMARY)
        region_agent = factory.Trait(kind=User.Kind.REGION_AGENT, organisme=None)
        blocked = factory.Trait(is_blocked=True, failed_login_count=3)
        deactivated = factory.Trait(is_active=False)
        without_password = factory.Trait(password_state=User.PasswordState.NOT_SET)
