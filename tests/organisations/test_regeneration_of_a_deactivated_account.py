"""Régénérer le mot de passe is not offered on a deactivated account: the
generation page serves active accounts only, so its e-mail would lead nowhere.
The compte principal activates the account first, then regenerates
(tests/e2e/test_deactivated_account.py follows the e-mail in the browser)."""

import pytest

from accounts import services
from accounts.models import User
from audit.models import AuditEntry
from outbox.models import OutgoingEmail
from tests.factories import PASSWORD

COMPTES = "/organisme/comptes/"
NOT_OFFERED = (
    "Ce compte est désactivé\u00a0: son utilisateur ne pourrait pas générer de mot de passe. Activez d’abord le "
    "compte, puis régénérez son mot de passe."
)


@pytest.fixture
def deactivated(primary_account, secondary_account):
    services.deactivate_account(secondary_account, acting_account=primary_account)
    return secondary_account


def regenerate_url(account, prefix="/organisme/comptes"):
    return f"{prefix}/{account.pk}/regenerer/"


def test_the_list_does_not_offer_it_on_a_deactivated_account(client_of, primary_account, deactivated):
    page = client_of(primary_account).get(COMPTES).content.decode()

    assert regenerate_url(deactivated) not in page
    assert f"/organisme/comptes/{deactivated.pk}/activer/" in page


def test_the_list_offers_it_again_once_the_account_is_activated(client_of, primary_account, deactivated):
    services.activate_account(deactivated, acting_account=primary_account)

    assert regenerate_url(deactivated) in client_of(primary_account).get(COMPTES).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_asked_anyway_it_explains_and_sends_nothing(client_of, primary_account, deactivated, method):
    response = getattr(client_of(primary_account), method)(regenerate_url(deactivated), follow=True)

    assert response.redirect_chain == [(COMPTES, 302)]
    assert NOT_OFFERED in response.content.decode()
    deactivated.refresh_from_db()
    assert deactivated.check_password(PASSWORD)
    assert not OutgoingEmail.objects.filter(template="password_regenerated").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_REGENERATED).exists()


def test_the_region_is_not_offered_it_either(client_of, region_agent, deactivated):
    client = client_of(region_agent)
    page = client.get(f"/region/organismes/{deactivated.organisme_id}/").content.decode()

    assert regenerate_url(deactivated, "/region/comptes") not in page
    response = client.post(regenerate_url(deactivated, "/region/comptes"), follow=True)
    assert NOT_OFFERED in response.content.decode()
    assert not OutgoingEmail.objects.filter(template="password_regenerated").exists()


def test_the_action_itself_refuses_a_deactivated_account(primary_account, deactivated):
    with pytest.raises(ValueError, match="Compte désactivé"):
        services.regenerate_password(deactivated, acting_account=primary_account)

    assert User.objects.get(pk=deactivated.pk).check_password(PASSWORD)
