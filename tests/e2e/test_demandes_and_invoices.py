"""Issue 18 in the browser: a compte secondaire files a demande de
modification, the Région agent refuses it with a comment, the organisme reads
the answer and its e-mail; two people correcting the same rejected invoice."""

import re

import pytest

from tests.e2e.steps import log_in, message
from tests.factories import ActionFormationFactory, FactureFactory


@pytest.fixture
def bdc(organisme):
    return ActionFormationFactory(
        organisme=organisme, numero_bdc="BDC-2026-0042", intitule="Titre professionnel Secrétaire assistant"
    )


def test_a_demande_filed_refused_then_read_with_its_email(
    open_browser, mailbox, secondary_account, region_agent, password, bdc
):
    organisme, agent = open_browser(), open_browser()
    log_in(organisme, secondary_account.identifiant, password)
    organisme.get_by_role("link", name="Actions de formation").first.click()
    organisme.get_by_role("link", name=bdc.numero_bdc).click()
    organisme.get_by_role("link", name="Faire une demande de modification").click()
    organisme.get_by_label("Objet de la demande").select_option(label="Dates de l’action")
    organisme.get_by_label("Explication").fill("Report de la date de fin au 30 juin : le plateau ferme en mai.")
    organisme.get_by_role("button", name="Envoyer la demande").click()
    assert message(organisme).startswith("Votre demande de modification a bien été envoyée à la Région.")
    assert organisme.locator("#demandes").get_by_text("En attente de traitement").is_visible()

    log_in(agent, region_agent.identifiant, password)
    agent.get_by_role("link", name=re.compile("1 demande de modification en attente")).click()
    agent.get_by_role("link", name=re.compile("Traiter la demande")).click()
    agent.get_by_label("Refuser la demande").check()
    agent.get_by_label("Commentaire").fill("Les dates sont celles du marché : gardez le 31 mai.")
    agent.get_by_role("button", name="Enregistrer la réponse").click()
    assert message(agent).startswith("La demande a bien été refusée.")

    organisme.goto("/")
    assert organisme.get_by_text("Aucune demande de modification en attente.").is_visible()
    organisme.goto(f"/actions/{bdc.pk}/")
    organisme.locator("#demandes").get_by_role("link", name=re.compile("Voir la demande")).click()
    answer = organisme.locator("main").inner_text()
    assert "Refusée le" in answer
    assert "Les dates sont celles du marché : gardez le 31 mai." in answer
    email = mailbox.last_to(secondary_account.email)
    assert email["Subject"] == "SIGMA - Réponse de la Région à votre demande de modification"
    assert "a été refusée par la Région" in mailbox.text(email)
    link = next(url for url in mailbox.links(email) if "/actions/demandes/" in url)
    assert "Les dates sont celles du marché : gardez le 31 mai." in mailbox.text(email)
    organisme.goto(link)
    assert organisme.get_by_role("heading", level=1).inner_text().startswith("Demande du ")


def test_two_people_correct_the_same_rejected_invoice(open_browser, primary_account, secondary_account, password, bdc):
    facture = FactureFactory(action=bdc, numero="FAC-2026-07", rejected=True, rejection_reason="Montant erroné.")
    colleague, principal = open_browser(), open_browser()
    log_in(colleague, secondary_account.identifiant, password)
    log_in(principal, primary_account.identifiant, password)
    for page in (colleague, principal):
        page.get_by_role("link", name=re.compile("1 facture a été rejetée")).click()
        page.get_by_role("link", name=re.compile("Corriger la facture")).click()

    colleague.get_by_label("Montant (€)").fill("12 000,00")
    colleague.get_by_role("button", name="Enregistrer").click()
    assert message(colleague).startswith("La facture FAC-2026-07 a bien été corrigée")
    principal.get_by_label("Montant (€)").fill("11 500,00")
    principal.get_by_role("button", name="Enregistrer").click()

    conflict = principal.get_by_role("alert").filter(has_text="Modification concurrente")
    assert "Ces informations ont été modifiées par PRENOM TEST COMPTE NOM TEST COMPTE" in conflict.inner_text()
    assert principal.get_by_label("Montant (€)").input_value() == "11 500,00"
    facture.refresh_from_db()
    assert (facture.status, facture.montant) == ("en_attente_validation", 12000)
    colleague.reload()
    assert colleague.get_by_role("cell", name="Corrigée et soumise à nouveau").is_visible()
