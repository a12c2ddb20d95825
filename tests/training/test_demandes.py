"""Demandes de modification: an organisme account files one on its action and
follows it; the Région lists those waiting, accepts or refuses them with a
comment; whoever filed it reads the answer on its page and by e-mail."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from tests.factories import DemandeModificationFactory
from tests.two_factor import log_in_verified
from training.models import DemandeModification

EXPLANATION = "Report de la date de fin au 30 juin :\nle plateau technique ferme en mai."


def logged_in(account):
    return log_in_verified(Client(), account)


def file_demande(client, action, **data):
    return client.post(
        f"/actions/{action.pk}/demandes/nouvelle/", {"objet": "dates", "explication": EXPLANATION} | data
    )


def answer(client, demande, decision="refuser", reponse="Les dates sont celles du marché.", version=None):
    return client.post(
        f"/actions/demandes/{demande.pk}/reponse/",
        {"decision": decision, "reponse": reponse, "version": version or demande.version},
    )


def test_a_secondary_account_files_a_demande_and_follows_it_on_the_bdc_page(secondary_account, action, page_of):
    client = logged_in(secondary_account)

    response = file_demande(client, action)

    assert response.status_code == 302
    assert response.url == f"/actions/{action.pk}/#demandes"
    demande = DemandeModification.objects.get()
    assert (demande.objet, demande.explication, demande.status) == ("dates", EXPLANATION, "en_attente")
    assert (demande.created_by, demande.created_by_name) == (secondary_account, secondary_account.full_name)
    page = page_of(client.get(response.url))
    assert page.column("Objet") == ["Dates de l’action"]
    assert page.column("Statut") == ["En attente de traitement"]
    entry = AuditEntry.objects.get(action="demande_filed")
    assert (entry.actor, entry.organisme) == (secondary_account, action.organisme)


def test_the_home_sentence_leads_to_exactly_the_pending_demandes_and_counts_down_after_an_answer(
    primary_account, region_agent, action, other_action, page_of
):
    pending = DemandeModificationFactory.create_batch(3, action=action)
    DemandeModificationFactory(action=action, status="acceptee")
    DemandeModificationFactory(action=other_action)  # another organisme's: never counted here
    organisme_client, agent = logged_in(primary_account), logged_in(region_agent)

    home = page_of(organisme_client.get("/"))
    assert "3 demandes de modification sont en attente de traitement." in home.text
    listed = page_of(organisme_client.get(home.href("3 demandes de modification")))
    assert len(listed.rows) == 3
    assert [cell.split(" du ")[0] for cell in listed.column("Actions")] == ["Voir la demande"] * 3

    # The Région's home counts every organisme's, and leads to them.
    region_home = page_of(agent.get("/"))
    region_listed = page_of(agent.get(region_home.href("4 demandes de modification en attente")))
    assert len(region_listed.rows) == 4
    assert [cell.split(" du ")[0] for cell in region_listed.column("Actions")] == ["Traiter la demande"] * 4

    assert answer(agent, pending[0], decision="accepter").status_code == 302

    home = page_of(organisme_client.get("/"))
    assert "2 demandes de modification sont en attente de traitement." in home.text
    assert len(page_of(organisme_client.get(home.href("2 demandes de modification"))).rows) == 2


def test_zero_pending_demande_is_not_a_link(primary_account, region_agent, action, page_of):
    DemandeModificationFactory(action=action, status="refusee")

    home = page_of(logged_in(primary_account).get("/"))
    region_home = page_of(logged_in(region_agent).get("/"))

    assert "Aucune demande de modification en attente." in home.text
    assert not home.has_link("Aucune demande de modification")
    assert "0 demande de modification en attente" in region_home.text
    assert not region_home.has_link("0 demande de modification")


@pytest.mark.django_db(transaction=True)
def test_the_region_refuses_with_a_comment_and_the_filer_reads_it_and_its_email(
    secondary_account, region_agent, action, mailbox, page_of
):
    organisme_client = logged_in(secondary_account)
    file_demande(organisme_client, action)
    demande = DemandeModification.objects.get()

    response = answer(logged_in(region_agent), demande, reponse="Les dates sont fixées par le marché.")

    assert response.status_code == 302
    demande.refresh_from_db()
    assert (demande.status, demande.reponse, demande.answered_by_name) == (
        "refusee",
        "Les dates sont fixées par le marché.",
        region_agent.full_name,
    )
    page = page_of(organisme_client.get(f"/actions/demandes/{demande.pk}/"))
    assert "Refusée le" in page.text
    assert "Les dates sont fixées par le marché." in page.text
    message = mailbox.last_to(secondary_account.email)
    assert message["Subject"] == "SIGMA - Réponse de la Région à votre demande de modification"
    text = mailbox.text(message)
    assert f"sur l’action BDC {action.numero_bdc}" in text
    assert "a été refusée par la Région" in text
    assert "Les dates sont fixées par le marché." in text
    assert f"/actions/demandes/{demande.pk}/" in text
    entry = AuditEntry.objects.get(action="demande_refused")
    assert (entry.actor, entry.organisme, entry.changes["reponse"]) == (
        region_agent,
        action.organisme,
        "Les dates sont fixées par le marché.",
    )


def test_a_demande_without_objet_or_explanation_gets_french_errors_by_its_fields(
    secondary_account, action, field_errors
):
    response = file_demande(logged_in(secondary_account), action, objet="", explication="")

    assert field_errors(response, "objet") == ["Choisissez l’objet de la demande."]
    assert field_errors(response, "explication") == ["Expliquez votre demande."]
    assert not DemandeModification.objects.exists()


def test_a_refused_demande_keeps_what_was_typed(secondary_account, action, field_errors):
    response = file_demande(logged_in(secondary_account), action, objet="tout")

    assert field_errors(response, "objet") == ["Choisissez l’objet de la demande dans la liste."]
    assert "le plateau technique ferme en mai." in response.content.decode()


def test_an_answer_needs_a_decision_and_a_comment(region_agent, action, field_errors):
    demande = DemandeModificationFactory(action=action)

    response = answer(logged_in(region_agent), demande, decision="", reponse="")

    page = response.content.decode()
    assert 'aria-describedby="id_decision_error"' in page
    assert (
        '<ul class="errorlist" id="id_decision_error"><li>Choisissez d’accepter ou de refuser la demande.</li>' in page
    )
    assert field_errors(response, "reponse") == ["Écrivez un commentaire pour l’organisme."]
    demande.refresh_from_db()
    assert demande.status == "en_attente"


def test_the_region_reads_but_does_not_file_a_demande(region_agent, action):
    client = logged_in(region_agent)

    assert client.get(f"/actions/{action.pk}/demandes/nouvelle/").status_code == 403
    assert file_demande(client, action).status_code == 403
    assert not DemandeModification.objects.exists()


def test_an_organisme_account_neither_answers_nor_sees_another_organismes_demande(
    primary_account, action, other_action
):
    own, others = DemandeModificationFactory(action=action), DemandeModificationFactory(action=other_action)
    client = logged_in(primary_account)

    assert answer(client, own, decision="accepter").status_code == 403
    assert client.get(f"/actions/demandes/{others.pk}/").status_code == 404
    assert file_demande(client, other_action).status_code == 404
    assert set(DemandeModification.objects.values_list("status", flat=True)) == {"en_attente"}


def test_two_agents_answering_at_once_keep_the_first_answer(region_agent, action, page_of):
    from tests.factories import UserFactory

    demande = DemandeModificationFactory(action=action)
    colleague = UserFactory(region_agent=True, first_name="Paul", last_name="VALIDEUR")
    first, second = logged_in(colleague), logged_in(region_agent)
    version = demande.version  # both read the page at this version

    answer(first, demande, decision="accepter", reponse="D’accord.", version=version)
    response = answer(second, demande, decision="refuser", reponse="Non.", version=version)

    demande.refresh_from_db()
    assert (demande.status, demande.reponse) == ("acceptee", "D’accord.")
    page = page_of(second.get(response.url))
    assert "Ces informations ont été modifiées par Paul VALIDEUR" in page.text
    assert "D’accord." in page.text
    assert AuditEntry.objects.filter(action__in=["demande_accepted", "demande_refused"]).count() == 1
