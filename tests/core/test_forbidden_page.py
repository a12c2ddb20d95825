"""The 403 page says why, one reason per rule, and where to ask."""

import pytest
from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied

from accounts.models import User
from tests.factories import ActionFormationFactory, InscriptionFactory


def refusal(response):
    assert response.status_code == 403
    page = response.text
    assert 'href="/contacts/"' in page
    return page


def test_a_compte_secondaire_is_told_only_the_compte_principal_manages_accounts(client_of, secondary_account):
    page = refusal(client_of(secondary_account).get("/organisme/comptes/"))
    assert "réservée au compte principal de l\u2019organisme" in page
    assert "agents de la Région" not in page


def test_a_compte_principal_is_told_the_espace_region_is_for_region_agents(client_of, primary_account):
    page = refusal(client_of(primary_account).get("/region/"))
    assert "Cette page est réservée aux agents de la Région." in page
    assert "compte principal de l\u2019organisme :" not in page


def test_a_region_agent_is_told_imports_are_for_organismes(client_of, region_agent):
    page = refusal(client_of(region_agent).get("/imports/"))
    assert "réservée aux comptes des organismes de formation" in page


def test_a_region_agent_is_told_the_organisme_enters_inscriptions(client_of, region_agent, organisme):
    action = ActionFormationFactory(organisme=organisme)
    inscription = InscriptionFactory(action=action)
    page = refusal(client_of(region_agent).get(f"/actions/{action.pk}/inscriptions/{inscription.pk}/"))
    assert "Seuls les comptes de l\u2019organisme de formation titulaire de l\u2019action" in page


@pytest.mark.parametrize("reason", ["", "inconnue"])
def test_a_refusal_without_a_known_reason_gets_the_generic_sentence(rf, db, reason):
    request = rf.get("/")
    request.user = User()
    page = permission_denied(request, PermissionDenied(reason)).content.decode()
    assert "Votre compte ne vous donne pas accès à cette page." in page
