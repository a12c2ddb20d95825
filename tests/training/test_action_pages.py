import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    ActionFormationFactory,
    BilanFactory,
    DeclarationHeuresFactory,
    DemandeModificationFactory,
    FactureFactory,
    InscriptionFactory,
    PeriodeDeclarationFactory,
)

LIST = "/actions/"


def bdc_numbers(page):
    return page.column("N° de BDC")


@pytest.fixture
def organisme_browser(client_of, primary_account):
    return client_of(primary_account)


def test_list_shows_the_organisme_actions_with_the_guide_columns(organisme_browser, page_of, action, trainee, seat):
    page = page_of(organisme_browser.get(LIST))

    assert page.headers == ["N° de BDC", "Intitulé", "Programme", "Lieu", "Dates", "État", "Places"]
    assert page.rows == [
        [
            "BDC-2026-0042",
            "Titre professionnel Secrétaire assistant",
            "QUALIF PRO",
            "Montpellier",
            "du 01/09/2026 au 31/03/2027",
            "En cours",
            "1 / 12",
        ]
    ]
    assert page.href("BDC-2026-0042") == f"/actions/{action.pk}/"


def test_region_agent_sees_every_organisme_with_an_organisme_column(
    client_of, region_agent, page_of, action, other_action
):
    page = page_of(client_of(region_agent).get(LIST))

    assert "Organisme" in page.headers
    assert sorted(page.column("Organisme")) == ["FORMATIONS DU MIDI", "ORGANISME TEST PRF 23"]


@pytest.mark.parametrize(
    ("etat", "trait"),
    [
        ("en_attente_ouverture", "awaiting_opening"),
        ("en_cours", None),
        ("en_retard_fermeture", "late_closing"),
        ("fermee", "closed"),
    ],
)
def test_list_filters_by_state(organisme_browser, page_of, organisme, etat, trait):
    wanted = {
        state: ActionFormationFactory(organisme=organisme, **({t: True} if t else {}))
        for state, t in [
            ("en_attente_ouverture", "awaiting_opening"),
            ("en_cours", None),
            ("en_retard_fermeture", "late_closing"),
            ("fermee", "closed"),
        ]
    }

    page = page_of(organisme_browser.get(LIST, {"etat": etat}))

    assert bdc_numbers(page) == [wanted[etat].numero_bdc]


def test_list_filters_by_programme(organisme_browser, page_of, organisme):
    lectio = ActionFormationFactory(organisme=organisme, programme="lectio")
    ActionFormationFactory(organisme=organisme, programme="qualif_pro")

    assert bdc_numbers(page_of(organisme_browser.get(LIST, {"programme": "lectio"}))) == [lectio.numero_bdc]


@pytest.mark.parametrize("query", ["2026-0042", "Secrétaire assistant", "titre PROFESSIONNEL"])
def test_list_searches_the_bdc_number_and_the_title(organisme_browser, page_of, action, organisme, query):
    ActionFormationFactory(organisme=organisme, numero_bdc="BDC-2025-9999", intitule="Maçonnerie")

    assert bdc_numbers(page_of(organisme_browser.get(LIST, {"q": query}))) == ["BDC-2026-0042"]


def _pending(kind, action):
    """Give `action` one pending item of `kind`; the other actions of the test get none."""
    if kind == "inscriptions":
        InscriptionFactory(action=action, awaiting_entry=True)
    elif kind == "declarations":
        PeriodeDeclarationFactory(action=action, mois=datetime.date(2020, 1 + action.periodes.count(), 1))
    elif kind == "demandes":
        DemandeModificationFactory(action=action)
    else:
        BilanFactory(inscription__action=action, kind=kind)


def _done(kind, action):
    """The same kind of item on `action`, but already dealt with."""
    if kind == "inscriptions":
        InscriptionFactory(action=action)
    elif kind == "declarations":
        PeriodeDeclarationFactory(action=action, validated=True)
    elif kind == "demandes":
        DemandeModificationFactory(action=action, status="acceptee")
    else:
        BilanFactory(inscription__action=action, kind=kind, validated=True)


TO_HANDLE = [
    "inscriptions",
    "declarations",
    "situation_sortie",
    "situation_3_mois",
    "situation_6_mois",
    "satisfaction",
    "questionnaire_suivi",
    "demandes",
]


@pytest.mark.parametrize("kind", TO_HANDLE)
def test_list_shows_the_actions_with_items_to_handle(organisme_browser, page_of, organisme, other_organisme, kind):
    pending = ActionFormationFactory(organisme=organisme)
    _pending(kind, pending)
    _pending(kind, pending)  # two pending items: the action is listed once
    _done(kind, ActionFormationFactory(organisme=organisme))
    ActionFormationFactory(organisme=organisme)
    _pending(kind, ActionFormationFactory(organisme=other_organisme))

    page = page_of(organisme_browser.get(LIST, {"a_traiter": kind}))

    assert bdc_numbers(page) == [pending.numero_bdc]


def test_a_period_of_the_current_month_is_not_yet_to_validate(organisme_browser, page_of, action):
    PeriodeDeclarationFactory(action=action, mois=timezone.localdate().replace(day=1))

    assert "Nombre de résultats : 0" in page_of(organisme_browser.get(LIST, {"a_traiter": "declarations"})).text


def test_at_half_past_midnight_in_paris_the_current_month_is_already_the_new_one(
    paris_just_after_midnight, organisme_browser, page_of, action
):
    # November is to validate, December not yet.
    PeriodeDeclarationFactory(action=action, mois=datetime.date(2026, 12, 1))

    assert "Nombre de résultats : 0" in page_of(organisme_browser.get(LIST, {"a_traiter": "declarations"})).text

    PeriodeDeclarationFactory(action=action, mois=datetime.date(2026, 11, 1))

    assert "Nombre de résultats : 1" in page_of(organisme_browser.get(LIST, {"a_traiter": "declarations"})).text


def test_an_unknown_filter_value_is_ignored(organisme_browser, page_of, action):
    response = organisme_browser.get(LIST, {"etat": "pirate", "a_traiter": "pirate", "programme": "x"})

    assert response.status_code == 200
    assert bdc_numbers(page_of(response)) == ["BDC-2026-0042"]


def test_list_is_paginated_keeping_the_filters(organisme_browser, page_of, organisme):
    ActionFormationFactory.create_batch(30, organisme=organisme, programme="lectio")

    first = page_of(organisme_browser.get(LIST, {"programme": "lectio"}))
    second = page_of(organisme_browser.get(LIST + first.href("Page suivante")))

    assert "Nombre de résultats : 30" in first.text
    assert len(first.rows) == 25
    assert len(second.rows) == 5
    assert "programme=lectio" in first.href("Page suivante")
    assert "Page 2 / 2" in second.text


def test_list_query_count_does_not_grow_with_the_actions(client_of, region_agent, organisme, other_organisme):
    browser = client_of(region_agent)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(LIST).status_code == 200
        return len(queries)

    ActionFormationFactory(organisme=organisme)
    few = count_queries()
    for action in ActionFormationFactory.create_batch(10, organisme=other_organisme):
        InscriptionFactory.create_batch(2, action=action)
    assert count_queries() == few


def test_bdc_page_shows_the_action_inscriptions_and_periods(organisme_browser, page_of, action, trainee, seat, period):
    DeclarationHeuresFactory(periode=period, inscription=trainee, heures=70)
    PeriodeDeclarationFactory(action=action, mois=datetime.date(2026, 9, 1), validated=True)

    page = page_of(organisme_browser.get(f"/actions/{action.pk}/"))

    assert "BDC BDC-2026-0042 Titre professionnel Secrétaire assistant" in page.text
    assert "État En cours" in page.text
    assert "Lieu Montpellier" in page.text
    assert page.headers[:6] == [
        "Nom",
        "Prénom",
        "Date de naissance",
        "Identifiant France Travail",
        "Date d’entrée",
        "Date de sortie",
    ]
    assert page.rows[0][:6] == ["DUPONT", "Léa", "12/04/1995", "1234567A", "01/09/2026", ""]
    assert page.rows[1][:3] == ["En attente de saisie", "", ""]
    assert "10/2026 70.0 h À valider" in page.text or "10/2026 70,0 h À valider" in page.text
    assert "09/2026 — Validée le" in page.text
    assert "Valider la période" in page.text


def test_bdc_page_query_count_does_not_grow_with_its_content(organisme_browser, action, trainee, period):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert organisme_browser.get(f"/actions/{action.pk}/").status_code == 200
        return len(queries)

    few = count_queries()
    periods = [period, *(PeriodeDeclarationFactory(action=action, mois=datetime.date(2026, m, 1)) for m in (9, 11))]
    for inscription in InscriptionFactory.create_batch(5, action=action):
        for periode in periods:
            DeclarationHeuresFactory(periode=periode, inscription=inscription)
    assert count_queries() == few


def test_invoice_list_filters_by_status(organisme_browser, page_of, action, other_action):
    FactureFactory(action=action, numero="FAC-1", rejected=True)
    FactureFactory(action=action, numero="FAC-2", status="payee")
    FactureFactory(action=other_action, numero="FAC-AUTRE", rejected=True)

    everything = page_of(organisme_browser.get("/actions/factures/"))
    rejected = page_of(organisme_browser.get("/actions/factures/", {"statut": "rejetee"}))

    assert sorted(everything.column("N° de facture")) == ["FAC-1", "FAC-2"]
    assert rejected.column("N° de facture") == ["FAC-1"]
    assert rejected.column("Statut")[0].startswith("Rejetée (le ")


def test_rejected_invoices_are_those_of_the_home_page_count(organisme_browser, page_of, action):
    today = timezone.localdate()
    for numero, days_ago in [("FAC-RECENTE", 0), ("FAC-29-JOURS", 29), ("FAC-30-JOURS", 30), ("FAC-ANCIENNE", 90)]:
        FactureFactory(action=action, numero=numero, status="rejetee", rejected_on=today - datetime.timedelta(days_ago))
    home = page_of(organisme_browser.get("/"))
    line = next(text for text, _ in home.links if "rejetée" in text)

    listing = page_of(organisme_browser.get(home.href(line)))

    assert line.startswith("2 factures ont été rejetées dans les 30 derniers jours")
    assert int(line.split()[0]) == len(listing.rows)
    assert sorted(listing.column("N° de facture")) == ["FAC-29-JOURS", "FAC-RECENTE"]
    assert "Factures rejetées dans les 30 derniers jours" in listing.text
