"""The Région agent's home page: what waits for an agent, counted, each count
leading to where it is dealt with."""

from accounts.models import HandoverProposal
from audit.models import AuditEntry
from audit.services import record
from outbox.models import OutgoingEmail
from tests.factories import OrganismeFactory, UserFactory


def test_an_agent_sees_what_waits_with_links_to_it(client_of, region_agent, page_of, organisme, primary_account):
    blocked_organisme = OrganismeFactory(raison_sociale="CENTRE BLOQUE")
    blocked = UserFactory(organisme=blocked_organisme, primary=True, blocked=True, identifiant="principal.bloque")
    colleague = UserFactory(organisme=organisme)
    HandoverProposal.objects.create(organisme=organisme, proposed_by=primary_account, proposed_to=colleague)
    for status in (OutgoingEmail.Status.FAILED, OutgoingEmail.Status.SENT):
        OutgoingEmail.objects.create(
            to=colleague.email, account=colleague, template="account_created", subject="S", text_body="B", status=status
        )
    record(AuditEntry.Action.ACCOUNT_BLOCKED, account=blocked)

    page = page_of(client_of(region_agent).get("/"))

    assert page.href("1 courriel en échec") == "/region/courriels/"
    assert page.href("1 compte principal bloqué") == "#comptes-principaux-bloques"
    assert page.href("CENTRE BLOQUE") == f"/region/organismes/{blocked_organisme.pk}/"
    assert "principal.bloque" in page.text
    assert page.href("0 revue des comptes en retard") == "/region/revues-des-comptes/"
    assert page.href("1 transfert du rôle de compte principal en attente") == "#transferts-en-attente"
    assert page.href(organisme.raison_sociale) == f"/region/organismes/{organisme.pk}/"
    assert "Blocage du compte" in page.text
    assert page.href("Voir tout l\u2019historique") == "/region/historique/"


def test_nothing_waiting_says_so_in_the_singular(client_of, region_agent, page_of):
    text = page_of(client_of(region_agent).get("/")).text

    assert "0 courriel en échec" in text
    assert "0 compte principal bloqué" in text
    assert "Aucun compte principal n\u2019est bloqué." in text
    assert "Aucun transfert en attente." in text


def test_organisme_accounts_do_not_get_the_region_blocks(client_of, primary_account, page_of):
    text = page_of(client_of(primary_account).get("/")).text

    assert "courriel en échec" not in text
    assert "Comptes principaux bloqués" not in text
