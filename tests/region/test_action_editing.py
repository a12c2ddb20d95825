"""A Region agent modifies an action's data, closes and reopens it, and changes
an invoice's status: a change based on what someone else has since changed is
refused, never silently overwritten (core.versioning)."""

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from tests.factories import ActionFormationFactory, FactureFactory, InscriptionFactory, UserFactory
from training.models import ActionFormation

EDITED = {
    "numero_bdc": "BDC-2026-0001",
    "intitule": "Titre professionnel Comptable assistant",
    "programme": "projet_pro",
    "lieu": "Nîmes",
    "date_debut": "02/02/2026",
    "date_fin": "30/06/2026",
    "places": "10",
    "heures_prevues": "450",
}


def edit_url(action):
    return f"/region/actions/{action.pk}/modifier/"


def when(moment):
    moment = timezone.localtime(moment)
    return f"{moment:%d/%m/%Y} à {moment:%H:%M}"


def form_values(response):
    """The values of the page's inputs, by name (the hidden version included)."""
    values = {}
    for field in re.findall(r"<input\b[^>]*>", response.content.decode()):
        name = re.search(r'\bname="([^"]+)"', field)
        value = re.search(r'\bvalue="([^"]*)"', field)
        if name and name.group(1) != "csrfmiddlewaretoken":
            values[name.group(1)] = unescape(value.group(1)) if value else ""
    return values


def selected(response, name):
    match = re.search(rf'<select name="{name}".*?<option value="([^"]*)"[^>]*selected', response.content.decode(), re.S)
    return match.group(1)


@pytest.fixture
def action(organisme):
    return ActionFormationFactory(
        organisme=organisme,
        numero_bdc="BDC-2026-0001",
        intitule="Titre professionnel Secrétaire assistant",
        places=3,
        date_debut=datetime.date(2026, 1, 5),
        date_fin=datetime.date(2026, 6, 26),
    )


@pytest.fixture
def colleague(browser_of):
    """Another Region agent, Mme MARTIN Claire, in a browser of her own."""
    return browser_of(
        UserFactory(region_agent=True, identifiant="claire.martin", first_name="Claire", last_name="MARTIN")
    )


# Modifying the action


def test_the_action_page_links_to_the_modify_form_showing_the_stored_values(agent, action, page_of):
    page = page_of(agent.get(f"/region/actions/{action.pk}/"))

    response = agent.get(page.href("Modifier l’action"))

    assert response.status_code == 200
    values = form_values(response)
    assert (values["numero_bdc"], values["lieu"], values["places"], values["version"]) == (
        "BDC-2026-0001",
        action.lieu,
        "3",
        "1",
    )


def test_agent_modifies_the_action(agent, action, region_agent, page_of):
    response = agent.post(edit_url(action), EDITED | {"version": 1})

    assert (response.status_code, response.url) == (302, f"/region/actions/{action.pk}/")
    action.refresh_from_db()
    assert (action.intitule, action.programme, action.lieu) == (
        "Titre professionnel Comptable assistant",
        "projet_pro",
        "Nîmes",
    )
    assert (action.date_debut, action.date_fin) == (datetime.date(2026, 2, 2), datetime.date(2026, 6, 30))
    assert (action.places, action.heures_prevues) == (10, 450)
    assert (action.version, action.updated_by) == (2, region_agent)
    assert "L’action BDC BDC-2026-0001 a bien été modifiée." in page_of(agent.get(response.url)).text


def test_a_stale_modification_is_refused_with_who_when_and_both_values(agent, colleague, action, page_of):
    assert colleague.post(edit_url(action), EDITED | {"lieu": "Perpignan", "version": 1}).status_code == 302

    response = agent.post(edit_url(action), EDITED | {"lieu": "Albi", "places": "8", "version": 1})

    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.lieu, action.places, action.version) == ("Perpignan", 10, 2)
    page = page_of(response)
    assert (
        f"Ces informations ont été modifiées par Claire MARTIN le {when(action.updated_at)} pendant que vous les "
        "modifiiez. Vos saisies n’ont pas été enregistrées."
    ) in page.text
    assert ["Lieu", "Perpignan", "Albi"] in page.rows
    assert ["Nombre de places", "10", "8"] in page.rows
    values = form_values(response)
    assert (values["lieu"], values["places"], values["version"]) == ("Albi", "8", "2")
    assert "Enregistrer mes valeurs" in page.text


def test_enregistrer_mes_valeurs_reapplies_the_agent_values_in_one_click(agent, colleague, action):
    colleague.post(edit_url(action), EDITED | {"lieu": "Perpignan", "version": 1})
    conflict = agent.post(edit_url(action), EDITED | {"lieu": "Albi", "version": 1})

    response = agent.post(edit_url(action), form_values(conflict) | {"programme": selected(conflict, "programme")})

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.lieu, action.version) == ("Albi", 3)


def test_places_cannot_go_below_the_inscriptions(agent, action, field_errors):
    InscriptionFactory(action=action)
    InscriptionFactory(action=action, awaiting_entry=True)

    response = agent.post(edit_url(action), EDITED | {"places": "1", "version": 1})

    assert response.status_code == 200
    assert field_errors(response, "places") == [
        "L’action compte déjà 2 inscription(s) : elle ne peut pas avoir moins de places."
    ]
    action.refresh_from_db()
    assert (action.places, action.version) == (3, 1)
    assert agent.post(edit_url(action), EDITED | {"places": "2", "version": 1}).status_code == 302


def test_the_bdc_number_stays_unique(agent, action, organisme, field_errors):
    ActionFormationFactory(organisme=organisme, numero_bdc="BDC-PRIS")

    response = agent.post(edit_url(action), EDITED | {"numero_bdc": "BDC-PRIS", "version": 1})

    assert field_errors(response, "numero_bdc") == ["Une action avec ce numéro de BDC existe déjà."]
    assert ActionFormation.objects.get(pk=action.pk).numero_bdc == "BDC-2026-0001"


def test_a_modification_without_its_version_is_refused(agent, action):
    response = agent.post(edit_url(action), EDITED)

    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.lieu, action.version) == ("Toulouse", 1)


# Closing and reopening


def test_agent_closes_then_reopens_the_action_after_confirming(agent, action, region_agent, page_of):
    detail = f"/region/actions/{action.pk}/"
    confirmation = agent.get(page_of(agent.get(detail)).href("Fermer l’action"))
    assert "Voulez-vous fermer l’action BDC BDC-2026-0001" in page_of(confirmation).text

    response = agent.post(f"/region/actions/{action.pk}/fermer/", form_values(confirmation))

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.closed_at is not None
    assert (action.version, action.updated_by) == (2, region_agent)
    page = page_of(agent.get(detail))
    assert "L’action BDC BDC-2026-0001 est fermée." in page.text
    assert "État Fermée" in page.text

    confirmation = agent.get(page.href("Rouvrir l’action"))
    agent.post(f"/region/actions/{action.pk}/rouvrir/", form_values(confirmation))

    action.refresh_from_db()
    assert (action.closed_at, action.version) == (None, 3)
    assert "L’action BDC BDC-2026-0001 est rouverte." in page_of(agent.get(detail)).text


def test_closing_an_action_someone_just_modified_is_refused(agent, colleague, action, page_of):
    confirmation = agent.get(f"/region/actions/{action.pk}/fermer/")
    colleague.post(edit_url(action), EDITED | {"version": 1})

    response = agent.post(f"/region/actions/{action.pk}/fermer/", form_values(confirmation), follow=True)

    action.refresh_from_db()
    assert action.closed_at is None
    assert (
        f"Ces informations ont été modifiées par Claire MARTIN le {when(action.updated_at)}" in page_of(response).text
    )


def test_a_stale_reopening_does_not_undo_a_later_closing(agent, colleague, action, page_of):
    agent.post(f"/region/actions/{action.pk}/fermer/", {"version": 1})
    reopen = agent.get(f"/region/actions/{action.pk}/rouvrir/")
    colleague.post(f"/region/actions/{action.pk}/rouvrir/", {"version": 2})
    colleague.post(f"/region/actions/{action.pk}/fermer/", {"version": 3})

    response = agent.post(f"/region/actions/{action.pk}/rouvrir/", form_values(reopen), follow=True)

    action.refresh_from_db()
    assert (action.closed_at is not None, action.version) == (True, 4)
    assert "L’action est maintenant fermée." in page_of(response).text


# Invoice status


def test_an_invoice_status_changed_meanwhile_is_not_overwritten(agent, colleague, action, page_of):
    facture = FactureFactory(action=action, numero="FAC-001")
    seen = agent.get(f"/region/actions/{action.pk}/")
    assert 'name="based_on_status" value="en_attente_validation"' in seen.content.decode()
    colleague.post(
        f"/region/factures/{facture.pk}/statut/",
        {"status": "rejetee", "based_on_status": "en_attente_validation", "motif": "Montant erroné."},
    )

    response = agent.post(
        f"/region/factures/{facture.pk}/statut/",
        {"status": "en_attente_emission", "based_on_status": "en_attente_validation"},
        follow=True,
    )

    facture.refresh_from_db()
    assert (facture.status, facture.rejected_on) == ("rejetee", timezone.localdate())
    assert (
        "Le statut de cette facture a été modifié pendant que vous le changiez : il est maintenant « Rejetée ». "
        "Aucune modification n’a été enregistrée."
    ) in page_of(response).text


def test_an_invoice_paid_meanwhile_stays_paid(agent, action, page_of):
    facture = FactureFactory(action=action, status="payee")

    response = agent.post(
        f"/region/factures/{facture.pk}/statut/", {"status": "suspendue", "based_on_status": "suspendue"}, follow=True
    )

    facture.refresh_from_db()
    assert facture.status == "payee"
    assert "il est maintenant « Payée »" in page_of(response).text


def test_saving_the_same_rejected_status_keeps_the_rejection_date(agent, action):
    rejected_on = timezone.localdate() - datetime.timedelta(days=20)
    facture = FactureFactory(action=action, status="rejetee", rejected_on=rejected_on)

    agent.post(f"/region/factures/{facture.pk}/statut/", {"status": "rejetee", "based_on_status": "rejetee"})

    facture.refresh_from_db()
    assert (facture.status, facture.rejected_on) == ("rejetee", rejected_on)


def test_a_status_change_without_the_status_it_was_based_on_is_refused(agent, action, page_of):
    facture = FactureFactory(action=action)

    response = agent.post(f"/region/factures/{facture.pk}/statut/", {"status": "suspendue"}, follow=True)

    facture.refresh_from_db()
    assert facture.status == "en_attente_validation"
    assert "Le changement n’a pas pu être pris en compte : rechargez la page." in page_of(response).text
