import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from accounts.models import User
from organisations.models import Organisme
from organisations.validators import validate_siret
from training.management.commands.generate_data import GENERATED_PASSWORD
from training.models import ActionFormation, DeclarationHeures, Inscription, PeriodeDeclaration, Stagiaire


def generate(organismes, seed=7):
    call_command("generate_data", organismes=organismes, seed=seed, stdout=io.StringIO())


def delete_everything():
    ActionFormation.objects.all().delete()
    Stagiaire.objects.all().delete()
    User.objects.all().delete()
    Organisme.objects.all().delete()


def generated_content():
    """What was generated, without the ids the database gave it."""
    return (
        list(Organisme.objects.order_by("pk").values_list("raison_sociale", "enseigne", "siret")),
        list(ActionFormation.objects.order_by("pk").values_list("intitule", "date_debut", "date_fin", "closed_at")),
        DeclarationHeures.objects.count(),
    )


@pytest.fixture
def generated(db):
    generate(5)


def test_it_generates_organismes_with_about_ten_accounts_and_one_primary(generated):
    organismes = Organisme.objects.annotate(
        accounts_count=Count("accounts"), primaries=Count("accounts", filter=Q(accounts__kind=User.Kind.PRIMARY))
    )

    assert len(organismes) == 5
    for organisme in organismes:
        assert 8 <= organisme.accounts_count <= 12
        assert organisme.primaries == 1
        validate_siret(organisme.siret)
        assert organisme.siret in organisme.search_text


def test_generated_accounts_log_in_with_the_documented_password(generated, login_succeeds):
    account = User.objects.filter(kind=User.Kind.PRIMARY).first()

    assert login_succeeds(account.identifiant, GENERATED_PASSWORD)


def test_it_generates_actions_inscriptions_and_declarations_at_the_expected_scale(generated):
    assert 15 <= ActionFormation.objects.count() <= 35
    assert 150 <= Inscription.objects.count() <= 400
    assert Inscription.objects.filter(stagiaire__isnull=True).exists()
    assert PeriodeDeclaration.objects.exists()
    assert 500 <= DeclarationHeures.objects.count() <= 3000
    # Hours are declared only for trainees of the period's own action.
    assert not DeclarationHeures.objects.exclude(inscription__action=F("periode__action")).exists()
    assert not DeclarationHeures.objects.filter(inscription__stagiaire__isnull=True).exists()


def test_it_runs_again_without_clashing(generated):
    generate(3)

    assert Organisme.objects.count() == 8
    assert User.objects.count() == User.objects.values("identifiant").distinct().count()
    assert Stagiaire.objects.count() == Inscription.objects.count()


def test_the_same_seed_gives_the_same_data(db):
    generate(2, seed=42)
    first = generated_content()
    delete_everything()

    generate(2, seed=42)

    assert generated_content() == first


def test_it_refuses_to_run_in_production(settings, db):
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        generate(1)
    assert not Organisme.objects.exists()
