"""Invoices from MA FACTURATION: each count leads to its filtered list, an
invoice's page shows its history, and a rejected invoice is corrected by its
organisme and submitted again to the Région."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from tests.factories import FactureFactory, UserFactory
from tests.two_factor import log_in_verified
from training import services
from training.models import Facture


def logged_in(account):
    return log_in_verified(Client(), account)


def reject(agent, facture, motif="Le montant dépasse le bon de commande."):
    return agent.post(
        f"/region/factures/{facture.pk}/statut/",
        {"status": "rejetee", "based_on_status": facture.status, "motif": motif},
    )


def correct(client, facture, *, version, numero=None, montant="12 000,00"):
    return client.post(
        f"/actions/factures/{facture.pk}/corriger/",
        {"numero": numero or facture.numero, "montant": montant, "version": version},
    )


@pytest.fixture
def rejected(action, region_agent):
    facture = services.record_invoice(
        action, numero="FAC-2026-07", montant=12500, status="en_attente_validation", acting_account=region_agent
    )
    return services.change_invoice_status(
        facture,
        based_on_status="en_attente_validation",
        status="rejetee",
        reason="Le montant dépasse le bon de commande.",
        acting_account=region_agent,
    )


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        ("en_attente_validation", "2 factures sont en attente de validation"),
        ("rejetee", "2 factures ont été rejetées dans les 30 derniers jours"),
        ("en_attente_emission", "2 factures sont en attente d’émission"),
        ("suspendue", "2 factures sont actuellement suspendues"),
    ],
)
def test_each_invoicing_sentence_lists_exactly_what_it_counts(
    status, sentence, primary_account, action, other_action, page_of
):
    rejected_on = timezone.localdate() if status == "rejetee" else None
    FactureFactory.create_batch(2, action=action, status=status, rejected_on=rejected_on)
    FactureFactory(action=action, status="payee")
    FactureFactory(action=other_action, status=status, rejected_on=rejected_on)
    # Rejected long ago: neither counted nor listed.
    FactureFactory(action=action, status="rejetee", rejected_on=timezone.localdate() - datetime.timedelta(days=45))
    client = logged_in(primary_account)

    home = page_of(client.get("/"))
    listed = page_of(client.get(home.href(sentence)))

    assert len(listed.rows) == 2
    assert {row[0] for row in listed.rows} == set(
        Facture.objects.filter(action=action, status=status, rejected_on=rejected_on).values_list("numero", flat=True)
    )


def test_a_rejected_invoice_corrected_counts_down_and_shows_its_history(
    primary_account, rejected, page_of, hidden_version
):
    FactureFactory(action=rejected.action, status="rejetee", rejected_on=timezone.localdate())
    client = logged_in(primary_account)
    home = page_of(client.get("/"))
    assert "2 factures ont été rejetées dans les 30 derniers jours" in home.text
    listed = page_of(client.get(home.href("2 factures ont été rejetées")))
    assert [cell.split(" FAC")[0] for cell in listed.column("Actions")] == ["Corriger la facture"] * 2

    form = client.get(f"/actions/factures/{rejected.pk}/corriger/")
    assert "Le montant dépasse le bon de commande." in page_of(form).text
    response = correct(client, rejected, version=hidden_version(form), montant="12 000,00")

    assert response.status_code == 302
    rejected.refresh_from_db()
    assert (rejected.status, rejected.montant, rejected.rejected_on) == ("en_attente_validation", 12000, None)
    home = page_of(client.get("/"))
    assert "1 facture a été rejetée dans les 30 derniers jours" in home.text
    assert "1 facture est en attente de validation" in home.text
    history = page_of(client.get(f"/actions/factures/{rejected.pk}/"))
    assert history.column("Événement") == ["Émise", "Rejetée", "Corrigée et soumise à nouveau"]
    assert history.column("Commentaire") == ["—", "Le montant dépasse le bon de commande.", "Corrigé : montant."]
    entry = AuditEntry.objects.get(action="invoice_corrected")
    assert (entry.actor, entry.organisme) == (primary_account, rejected.action.organisme)


def test_the_history_follows_every_status_the_region_gives(region_agent, primary_account, action, page_of):
    facture = services.record_invoice(
        action, numero="FAC-1", montant=100, status="en_attente_validation", acting_account=region_agent
    )
    for before, after in [
        ("en_attente_validation", "en_attente_emission"),
        ("en_attente_emission", "suspendue"),
        ("suspendue", "payee"),
    ]:
        services.change_invoice_status(facture, based_on_status=before, status=after, acting_account=region_agent)

    history = page_of(logged_in(primary_account).get(f"/actions/factures/{facture.pk}/"))

    assert history.column("Événement") == ["Émise", "Validée", "Suspendue", "Payée"]
    assert set(history.column("Par")) == {region_agent.full_name}


def test_rejecting_without_a_reason_changes_nothing(region_agent, action, page_of):
    facture = FactureFactory(action=action)
    agent = logged_in(region_agent)

    response = reject(agent, facture, motif="  ")

    facture.refresh_from_db()
    assert facture.status == "en_attente_validation"
    assert "Indiquez le motif du rejet de la facture" in page_of(agent.get(response.url)).text


def test_a_correction_with_a_bad_amount_gets_its_error_and_keeps_the_number(
    primary_account, rejected, field_errors, hidden_version
):
    client = logged_in(primary_account)
    version = hidden_version(client.get(f"/actions/factures/{rejected.pk}/corriger/"))

    response = correct(client, rejected, version=version, numero="FAC-2026-07-B", montant="douze mille")

    assert field_errors(response, "montant") == ["Saisissez un montant, par exemple 12\u00a0500,00."]
    assert 'value="FAC-2026-07-B"' in response.content.decode()
    rejected.refresh_from_db()
    assert rejected.status == "rejetee"


def test_two_people_correcting_at_once_the_second_gets_the_conflict_view(
    primary_account, secondary_account, rejected, hidden_version, page_of
):
    first, second = logged_in(secondary_account), logged_in(primary_account)
    version = hidden_version(first.get(f"/actions/factures/{rejected.pk}/corriger/"))
    assert hidden_version(second.get(f"/actions/factures/{rejected.pk}/corriger/")) == version

    correct(first, rejected, version=version, numero="FAC-2026-07-B", montant="12 000,00")
    response = correct(second, rejected, version=version, numero="FAC-2026-07-C", montant="11 000,00")

    assert response.status_code == 200
    page = page_of(response)
    assert f"Ces informations ont été modifiées par {secondary_account.first_name}" in page.text
    assert page.column("Valeur enregistrée") == ["FAC-2026-07-B", "12000,00"]
    assert page.column("Votre saisie") == ["FAC-2026-07-C", "11000,00"]
    rejected.refresh_from_db()
    assert (rejected.numero, rejected.montant) == ("FAC-2026-07-B", 12000)


def test_only_the_organismes_accounts_correct_and_only_a_rejected_invoice(
    region_agent, other_primary_account, primary_account, rejected, action
):
    paid = FactureFactory(action=action, status="payee")

    assert correct(logged_in(region_agent), rejected, version=rejected.version).status_code == 403
    assert logged_in(other_primary_account).get(f"/actions/factures/{rejected.pk}/").status_code == 404
    assert correct(logged_in(other_primary_account), rejected, version=rejected.version).status_code == 404
    response = correct(logged_in(primary_account), paid, version=paid.version)
    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == "payee"
    rejected.refresh_from_db()
    assert rejected.status == "rejetee"


def test_a_region_agent_other_than_the_first_sees_who_rejected(region_agent, rejected, page_of):
    other_agent = UserFactory(region_agent=True)

    history = page_of(logged_in(other_agent).get(f"/actions/factures/{rejected.pk}/"))

    assert history.column("Par")[1] == region_agent.full_name
    assert "Motif du rejet Le montant dépasse le bon de commande." in history.text
