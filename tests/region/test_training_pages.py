import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from tests.factories import ActionFormationFactory, FactureFactory, InscriptionFactory
from training.models import ActionFormation, Facture, Inscription

ACTION_DATA = {
    "numero_bdc": "BDC-2026-0042",
    "intitule": "Titre professionnel Secrétaire assistant",
    "programme": "qualif_pro",
    "lieu": "Montpellier",
    "date_debut": "05/01/2026",
    "date_fin": "26/06/2026",
    "places": "12",
    "heures_prevues": "600",
}


@pytest.fixture
def action(organisme):
    return ActionFormationFactory(organisme=organisme, numero_bdc="BDC-2026-0001", places=3)


@pytest.fixture
def invoice(action):
    return FactureFactory(action=action, numero="FAC-001", montant=Decimal("12500.00"))


def test_agent_creates_an_action_for_an_organisme(agent, organisme, region_agent, page_of):
    response = agent.post(f"/region/organismes/{organisme.pk}/actions/nouvelle/", ACTION_DATA)

    action = ActionFormation.objects.get(numero_bdc="BDC-2026-0042")
    assert response.status_code == 302
    assert response.url == f"/region/actions/{action.pk}/"
    assert action.organisme == organisme
    assert (action.date_debut, action.date_fin) == (datetime.date(2026, 1, 5), datetime.date(2026, 6, 26))
    assert (action.places, action.heures_prevues, action.updated_by) == (12, 600, region_agent)
    page = page_of(agent.get(response.url))
    assert "L’action BDC-2026-0042 a bien été créée." in page.text
    assert "Titre professionnel Secrétaire assistant" in page.text


def test_the_organisme_page_links_to_its_actions(agent, organisme, action, page_of):
    page = page_of(agent.get(f"/region/organismes/{organisme.pk}/"))

    listing = page_of(agent.get(page.href("Voir les actions de formation")))

    assert listing.column("N° de BDC") == ["BDC-2026-0001"]
    assert page.href("Créer une action") == f"/region/organismes/{organisme.pk}/actions/nouvelle/"


def test_an_action_ends_after_it_starts(agent, organisme, field_errors):
    response = agent.post(
        f"/region/organismes/{organisme.pk}/actions/nouvelle/", {**ACTION_DATA, "date_fin": "04/01/2026"}
    )

    assert response.status_code == 200
    assert field_errors(response, "date_fin") == ["La date de fin ne peut pas précéder la date de début."]
    assert not ActionFormation.objects.exists()


def test_a_bdc_number_is_unique(agent, organisme, action, other_organisme, field_errors):
    response = agent.post(
        f"/region/organismes/{other_organisme.pk}/actions/nouvelle/", {**ACTION_DATA, "numero_bdc": "BDC-2026-0001"}
    )

    assert field_errors(response, "numero_bdc") == ["Une action avec ce numéro de BDC existe déjà."]
    assert ActionFormation.objects.count() == 1


def test_agent_announces_seats_awaiting_entry(agent, action, region_agent, page_of):
    InscriptionFactory(action=action)

    response = agent.post(f"/region/actions/{action.pk}/places/", {"nombre": "2"})

    assert response.status_code == 302
    seats = Inscription.objects.filter(action=action, stagiaire__isnull=True)
    assert seats.count() == 2
    assert all(seat.updated_by == region_agent for seat in seats)
    assert "3 place(s) annoncée(s) sur 3, dont 2 en attente de saisie." in page_of(agent.get(response.url)).text


def test_seats_are_not_announced_beyond_the_places(agent, action, field_errors):
    InscriptionFactory(action=action, awaiting_entry=True)

    response = agent.post(f"/region/actions/{action.pk}/places/", {"nombre": "3"})

    assert response.status_code == 200
    assert field_errors(response, "nombre") == ["L’action n’a plus que 2 place(s) à annoncer sur 3."]
    assert action.inscriptions.count() == 1


def test_agent_records_an_invoice(agent, action, page_of):
    response = agent.post(
        f"/region/actions/{action.pk}/factures/",
        {"numero": "FAC-2026-01", "montant": "4200,50", "status": "en_attente_validation"},
    )

    assert response.status_code == 302
    facture = Facture.objects.get(action=action)
    assert (facture.numero, facture.montant, facture.status) == (
        "FAC-2026-01",
        Decimal("4200.50"),
        "en_attente_validation",
    )
    page = page_of(agent.get(response.url))
    assert page.column("Statut") == ["En attente de validation"]


def test_an_invoice_keeps_who_recorded_it_and_each_change_is_in_the_trail(agent, region_agent, action, invoice):
    agent.post(
        f"/region/actions/{action.pk}/factures/",
        {"numero": "FAC-2026-02", "montant": "10", "status": "en_attente_validation"},
    )
    agent.post(
        f"/region/factures/{invoice.pk}/statut/",
        {"status": "rejetee", "based_on_status": invoice.status, "motif": "Montant erroné."},
    )

    recorded = Facture.objects.get(numero="FAC-2026-02")
    assert (recorded.recorded_by, recorded.recorded_by_name) == (region_agent, region_agent.full_name)
    entries = AuditEntry.objects.filter(organisme=action.organisme).order_by("pk")
    assert [(entry.action, entry.actor, entry.details) for entry in entries] == [
        (
            "invoice_recorded",
            region_agent,
            [
                "Facture : FAC-2026-02",
                f"N° de BDC : {action.numero_bdc}",
                "Statut : En attente de validation",
            ],
        ),
        (
            "invoice_status_changed",
            region_agent,
            [
                f"Facture : {invoice.numero}",
                f"N° de BDC : {action.numero_bdc}",
                "Statut : Rejetée",
                "Motif du rejet : Montant erroné.",
            ],
        ),
    ]


def test_an_invoice_recorded_as_rejected_gets_todays_date(agent, action):
    agent.post(f"/region/actions/{action.pk}/factures/", {"numero": "FAC-9", "montant": "10", "status": "rejetee"})

    assert Facture.objects.get().rejected_on == timezone.localdate()


def test_an_invoice_number_is_unique_on_its_action(agent, action, invoice, field_errors):
    response = agent.post(
        f"/region/actions/{action.pk}/factures/",
        {"numero": "FAC-001", "montant": "10", "status": "en_attente_validation"},
    )

    assert field_errors(response, "numero") == ["Cette action a déjà une facture avec ce numéro."]
    assert Facture.objects.count() == 1


def test_invoice_goes_through_its_states(agent, action, invoice, page_of):
    url = f"/region/factures/{invoice.pk}/statut/"

    agent.post(url, {"status": "rejetee", "based_on_status": "en_attente_validation", "motif": "Montant erroné."})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.rejected_on) == ("rejetee", timezone.localdate())
    page = page_of(agent.get(f"/region/actions/{action.pk}/"))
    assert page.column("Rejetée le") == [timezone.localdate().strftime("%d/%m/%Y")]

    for based_on, status in [
        ("rejetee", "en_attente_validation"),
        ("en_attente_validation", "en_attente_emission"),
        ("en_attente_emission", "suspendue"),
        ("suspendue", "payee"),
    ]:
        agent.post(url, {"status": status, "based_on_status": based_on})
        invoice.refresh_from_db()
        assert (invoice.status, invoice.rejected_on) == (status, None)


def test_a_paid_invoice_no_longer_changes(agent, action, page_of):
    paid = FactureFactory(action=action, status="payee")

    response = agent.post(
        f"/region/factures/{paid.pk}/statut/", {"status": "suspendue", "based_on_status": "payee"}, follow=True
    )

    assert f"La facture {paid.numero} est payée : son statut ne change plus." in page_of(response).text
    paid.refresh_from_db()
    assert paid.status == "payee"


def pages(organisme, action, invoice):
    return [
        ("get", f"/region/organismes/{organisme.pk}/actions/", {}),
        ("get", f"/region/organismes/{organisme.pk}/actions/nouvelle/", {}),
        ("post", f"/region/organismes/{organisme.pk}/actions/nouvelle/", ACTION_DATA),
        ("get", f"/region/actions/{action.pk}/", {}),
        ("post", f"/region/actions/{action.pk}/places/", {"nombre": "1"}),
        ("post", f"/region/actions/{action.pk}/factures/", {"numero": "X", "montant": "1", "status": "payee"}),
        ("post", f"/region/factures/{invoice.pk}/statut/", {"status": "payee", "based_on_status": invoice.status}),
        ("get", f"/region/actions/{action.pk}/modifier/", {}),
        (
            "post",
            f"/region/actions/{action.pk}/modifier/",
            {**ACTION_DATA, "numero_bdc": "BDC-MODIFIE", "version": action.version},
        ),
        ("get", f"/region/actions/{action.pk}/fermer/", {}),
        ("post", f"/region/actions/{action.pk}/fermer/", {"version": action.version}),
        ("get", f"/region/actions/{action.pk}/rouvrir/", {}),
        ("post", f"/region/actions/{action.pk}/rouvrir/", {"version": action.version}),
    ]


def stored(action):
    return (
        list(ActionFormation.objects.order_by("pk").values()),
        list(Inscription.objects.order_by("pk").values()),
        list(Facture.objects.order_by("pk").values()),
    )


def test_agent_reaches_every_training_page(agent, organisme, action, invoice):
    for method, url, data in pages(organisme, action, invoice):
        if "version" in data:
            # Based on what the agent sees now, as a page shown just before would be.
            action.refresh_from_db()
            data = {**data, "version": action.version}
        # Each page shows; each valid form is taken and redirects.
        assert getattr(agent, method)(url, data).status_code == {"get": 200, "post": 302}[method], (method, url)


@pytest.fixture(params=["primary", "secondary", "other organisme primary"])
def organisme_account(request, primary_account, secondary_account, other_primary_account):
    return {
        "primary": primary_account,
        "secondary": secondary_account,
        "other organisme primary": other_primary_account,
    }[request.param]


def test_organisme_accounts_are_refused(client_of, organisme_account, organisme, action, invoice):
    before = stored(action)
    browser = client_of(organisme_account)

    for method, url, data in pages(organisme, action, invoice):
        assert getattr(browser, method)(url, data).status_code == 403, (method, url)
    assert stored(action) == before


def test_anonymous_visitor_is_sent_to_the_login_page(client, organisme, action, invoice):
    before = stored(action)

    for method, url, data in pages(organisme, action, invoice):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert urlsplit(response.url).path == "/connexion/"
    assert stored(action) == before


def test_unknown_action_and_invoice_are_not_found(agent, db):
    assert agent.get("/region/actions/999999/").status_code == 404
    assert agent.post("/region/factures/999999/statut/", {"status": "payee"}).status_code == 404
    assert agent.get("/region/actions/999999/modifier/").status_code == 404
    assert agent.post("/region/actions/999999/fermer/", {"version": 1}).status_code == 404
    assert agent.post("/region/actions/999999/rouvrir/", {"version": 1}).status_code == 404
