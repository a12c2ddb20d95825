import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from organisations.models import Organisme


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
