"""The Region resets the lost second factor of any organisme account, primary
ones included, from the organisme's page, where Débloquer is offered; never a
Region agent's (tests/accounts/test_two_factor.py: the command line does)."""

from django.test import Client

from accounts import two_factor
from audit.models import AuditEntry
from tests.accounts.login import is_logged_in, log_in
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import code_of


def test_an_agent_resets_the_second_factor_of_a_primary_account(agent, region_agent, organisme, page_of):
    primary = UserFactory(primary=True, organisme=organisme, identifiant="principal.2fa", second_factor=True)
    primary_browser = Client()
    log_in(primary_browser, "principal.2fa", PASSWORD)
    primary_browser.post("/connexion/code/", {"code": code_of(primary)})
    assert is_logged_in(primary_browser)

    page = page_of(agent.get(f"/region/organismes/{organisme.pk}/"))
    response = agent.post(page.href(f"Réinitialiser la double authentification {primary.full_name}"))

    assert response.url == f"/region/organismes/{organisme.pk}/"
    assert not two_factor.has_second_factor(primary)
    assert not is_logged_in(primary_browser)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_RESET)
    assert (entry.account, entry.actor, entry.organisme) == (primary, region_agent, organisme)


def test_an_agent_cannot_reset_another_agent(agent):
    colleague = UserFactory(region_agent=True, identifiant="autre.agent")

    response = agent.post(f"/region/comptes/{colleague.pk}/reinitialiser-double-authentification/")

    assert response.status_code == 404
    assert two_factor.has_second_factor(colleague)
