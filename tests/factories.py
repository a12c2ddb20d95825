import datetime
import random

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from organisations.models import Organisme
from organisations.validators import LA_POSTE_SIREN, luhn_check_digit

# A password that passes every rule, shared by the accounts the factories make.
PASSWORD = "Formation-Occitanie-42!"


def random_siret():
    while True:
        body = "".join(random.choice("0123456789") for _ in range(13))
        if not body.startswith(LA_POSTE_SIREN):
            return body + luhn_check_digit(body)


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

    # Hashed (with the hashers of the moment) before the account is saved: one INSERT, no UPDATE.
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def second_factor(account, create, extracted, **kwargs):
        """An authenticator app (a confirmed TOTP device with a random key):
        Region agents have one, as they must, unless `second_factor=False`;
        `second_factor=True` gives one to any account."""
        if create and (account.is_region_agent if extracted is None else extracted):
            TOTPDevice.objects.create(user=account, name="Téléphone", confirmed=True)

    class Params:
        primary = factory.Trait(kind=User.Kind.PRIMARY)
        region_agent = factory.Trait(kind=User.Kind.REGION_AGENT, organisme=None)
        blocked = factory.Trait(is_blocked=True, failed_login_count=3)
        deactivated = factory.Trait(is_active=False)
        without_password = factory.Trait(password_state=User.PasswordState.NOT_SET)


# The training domain. Actions default to "en cours" today; traits give the other states.


def _today():
    return timezone.localdate()


class ActionFormationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.ActionFormation"

    organisme = factory.SubFactory(OrganismeFactory)
    numero_bdc = factory.Sequence(lambda n: f"BDC-TEST-{n:06d}")
    intitule = factory.Sequence(lambda n: f"Formation qualifiante {n}")
    programme = "qualif_pro"
    lieu = "Toulouse"
    date_debut = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30))
    date_fin = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=60))
    places = 12
    heures_prevues = 400

    class Params:
        awaiting_opening = factory.Trait(
            date_debut=factory.LazyFunction(lambda: _today() + datetime.timedelta(days=10)),
            date_fin=factory.LazyFunction(lambda: _today() + datetime.timedelta(days=100)),
        )
        late_closing = factory.Trait(
            date_debut=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=200)),
            date_fin=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10)),
        )
        closed = factory.Trait(
            date_debut=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=200)),
            date_fin=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10)),
            closed_at=factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC)),
        )


class StagiaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Stagiaire"

    organisme = factory.SubFactory(OrganismeFactory)
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    date_naissance = datetime.date(1990, 5, 17)
    identifiant_france_travail = factory.Sequence(lambda n: f"{n:07d}T")


class InscriptionFactory(factory.django.DjangoModelFactory):
    """An inscription with its trainee; `awaiting_entry=True` for one "en attente de saisie"."""

    class Meta:
        model = "training.Inscription"

    action = factory.SubFactory(ActionFormationFactory)
    # The organisme's own record of the trainee (README, « Un stagiaire par organisme »).
    stagiaire = factory.SubFactory(StagiaireFactory, organisme=factory.SelfAttribute("..action.organisme"))
    date_entree = factory.SelfAttribute("action.date_debut")

    class Params:
        awaiting_entry = factory.Trait(stagiaire=None, date_entree=None)


class PeriodeDeclarationFactory(factory.django.DjangoModelFactory):
    """A month of declarations, by default last month and not validated, so pending."""

    class Meta:
        model = "training.PeriodeDeclaration"

    action = factory.SubFactory(ActionFormationFactory)
    mois = factory.LazyFunction(lambda: (_today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1))

    class Params:
        validated = factory.Trait(
            validated_at=factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC)),
            validated_by_name="BLA PAU",
        )


class DeclarationHeuresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.DeclarationHeures"

    periode = factory.SubFactory(PeriodeDeclarationFactory)
    inscription = factory.SubFactory(InscriptionFactory, action=factory.SelfAttribute("..periode.action"))
    heures = 35


class BilanFactory(factory.django.DjangoModelFactory):
    """A draft bilan, due (its trainee left 200 days ago), so pending until validated."""

    class Meta:
        model = "training.Bilan"

    inscription = factory.SubFactory(
        InscriptionFactory, date_sortie=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=200))
    )
    kind = "situation_sortie"

    class Params:
        validated = factory.Trait(validated_at=factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC)))


class FactureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Facture"

    action = factory.SubFactory(ActionFormationFactory)
    numero = factory.Sequence(lambda n: f"FAC-{n:06d}")
    montant = 12500
    status = "en_attente_validation"

    class Params:
        rejected = factory.Trait(status="rejetee", rejected_on=factory.LazyFunction(_today))


class DemandeModificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.DemandeModification"

    action = factory.SubFactory(ActionFormationFactory)
    objet = "dates"
    explication = "Report de la date de fin au 30 juin, à la demande du centre d’examen."
