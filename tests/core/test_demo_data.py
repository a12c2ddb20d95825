import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from organisations.models import Organisme
from training.dashboard import dashboard_counts
from training.models import ActionFormation, ActionState


def test_demo_data_holds_the_guide_organisme_and_its_accounts(client, db):
    call_command("load_demo")
    call_command("load_demo")

    organisme = Organisme.objects.get(siret="12345678913000")
    assert organisme.raison_sociale == "ORGANISME TEST PRF 23"
    assert organisme.primary_account.full_name == "BLA PAU"
    assert organisme.accounts.filter(kind=User.Kind.SECONDARY).count() == 2
    assert Organisme.objects.count() == 2
    assert User.objects.filter(kind=User.Kind.REGION_AGENT).count() == 1

    for identifiant in ["66bdj5zw4x", "8wwapv3bzk", "test.identifiant", "durand.fdm", "agent.region"]:
        response = client.post("/connexion/", {"identifiant": identifiant, "password": "Demo-Sigma-2026!"})
        assert response.status_code == 302, identifiant
        client.post("/deconnexion/")


def test_demo_data_is_never_loaded_in_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not Organisme.objects.exists()


def test_demo_data_gives_the_guide_organisme_work_in_every_block(db):
    call_command("load_demo")
    call_command("load_demo")

    organisme = Organisme.objects.get(siret="12345678913000")
    counts = dashboard_counts(organisme, timezone.localdate())
    assert counts.periodes_en_attente == 57
    assert counts.actions_with_periodes_en_attente == 1
    assert counts.factures_en_attente_validation == 2
    assert counts.inscriptions_en_attente > 0
    assert counts.demandes_en_attente == 1
    # Every count of the home page is non-zero, so each sentence is a link to its work.
    zero = [name for name, value in vars(counts).items() if value == 0]
    assert zero == []
    for state in ActionState:
        assert ActionFormation.objects.filter(organisme=organisme).in_state(state).exists(), state
    other = dashboard_counts(Organisme.objects.get(siret="98765432100007"), timezone.localdate())
    assert other.actions_en_cours == 1


def test_demo_inscriptions_can_be_saved_again_through_their_form(db):
    """A user opening "Corriger" on a demo inscription and saving it unchanged must not be refused."""
    from training.forms import InscriptionForm
    from training.models import Inscription

    call_command("load_demo")
    inscriptions = Inscription.objects.filter(stagiaire__isnull=False).select_related("stagiaire", "action")
    assert inscriptions.exists()
    for inscription in inscriptions:
        trainee = inscription.stagiaire
        data = {
            "version": inscription.version,
            "nom": trainee.nom,
            "prenom": trainee.prenom,
            "date_naissance": trainee.date_naissance.strftime("%d/%m/%Y"),
            "identifiant_france_travail": trainee.identifiant_france_travail,
            "date_entree": inscription.date_entree.strftime("%d/%m/%Y") if inscription.date_entree else "",
            "date_sortie": inscription.date_sortie.strftime("%d/%m/%Y") if inscription.date_sortie else "",
        }
        form = InscriptionForm(data, action=inscription.action)
        assert "identifiant_france_travail" not in form.errors, form.errors
