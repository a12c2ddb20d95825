"""The home page's blocks come from the cache (training/dashboard.py) and are
never stale: each change is made the way users make it, then the page is read
again. Real transactions, since the cache only learns of a change once it commits."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    ActionFormationFactory,
    DemandeModificationFactory,
    FactureFactory,
    InscriptionFactory,
    PeriodeDeclarationFactory,
)
from training import dashboard
from training.models import Facture

pytestmark = pytest.mark.django_db(transaction=True)


def months_ago(count):
    month = timezone.localdate().replace(day=1)
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


@pytest.fixture
def action(organisme):
    """An action en cours, begun three months ago."""
    today = timezone.localdate()
    return ActionFormationFactory(
        organisme=organisme,
        numero_bdc="BDC-2026-0001",
        date_debut=months_ago(3),
        date_fin=today + datetime.timedelta(days=90),
        places=5,
    )


@pytest.fixture
def home(client_of, primary_account, page_of):
    """`home()`: the text of the home page of ORGANISME TEST PRF 23's compte principal."""
    browser = client_of(primary_account)

    def read():
        response = browser.get("/")
        assert response.status_code == 200
        return page_of(response).text

    read.browser = browser
    return read


@pytest.fixture
def agent(browser_of, region_agent):
    return browser_of(region_agent)


def counting_queries(home):
    """The queries the home page runs on the training tables."""
    with CaptureQueriesContext(connection) as queries:
        home()
    return [query["sql"] for query in queries if '"training_' in query["sql"]]


def test_the_second_reading_comes_from_the_cache(home, action):
    FactureFactory(action=action)

    assert len(counting_queries(home)) == 6
    assert counting_queries(home) == []
    assert "1 facture est en attente de validation sur vos actions" in home()


def test_entering_a_seat_through_its_form(home, client_of, secondary_account, action):
    seat = InscriptionFactory(action=action, awaiting_entry=True)
    assert "1 inscription de stagiaire est en attente de saisie sur 1 de vos actions." in home()

    response = client_of(secondary_account).post(
        f"/actions/{action.pk}/inscriptions/{seat.pk}/",
        {
            "nom": "MARTIN",
            "prenom": "Hugo",
            "date_naissance": "03/02/1999",
            "identifiant_france_travail": "7654321B",
            "date_entree": action.date_debut.strftime("%d/%m/%Y"),
            "date_sortie": "",
            "version": seat.version,
        },
    )

    assert response.status_code == 302
    assert "Aucune inscription de stagiaire en attente de saisie." in home()


def test_validating_a_period(home, action):
    period = PeriodeDeclarationFactory(action=action, mois=months_ago(1))
    assert "1 période de déclaration n’a pas fait l’objet de validation sur 1 de vos actions." in home()

    response = home.browser.post(f"/actions/{action.pk}/periodes/{period.pk}/valider/", {"version": period.version})

    assert response.status_code == 302
    assert "Aucune période de déclaration en attente de validation." in home()


def test_the_region_rejects_an_invoice(home, agent, action):
    facture = FactureFactory(action=action, status="en_attente_validation")
    assert "1 facture est en attente de validation sur vos actions" in home()

    response = agent.post(
        f"/region/factures/{facture.pk}/statut/",
        {"status": "rejetee", "based_on_status": "en_attente_validation", "motif": "Montant erroné."},
    )

    assert response.status_code == 302
    text = home()
    assert "Aucune facture n’est en attente de validation sur vos actions" in text
    assert "1 facture a été rejetée dans les 30 derniers jours sur vos actions" in text


def test_the_region_records_an_invoice(home, agent, action):
    assert "Aucune facture n’est actuellement suspendue sur vos actions" in home()

    agent.post(f"/region/actions/{action.pk}/factures/", {"numero": "F-1", "montant": "10", "status": "suspendue"})

    assert "1 facture est actuellement suspendue sur vos actions" in home()


def test_the_region_closes_then_reopens_an_action(home, agent, action):
    assert "Actions en cours : 1" in home()

    assert agent.post(f"/region/actions/{action.pk}/fermer/", {"version": 1}).status_code == 302
    assert "Actions en cours : 0" in home()

    assert agent.post(f"/region/actions/{action.pk}/rouvrir/", {"version": 2}).status_code == 302
    assert "Actions en cours : 1" in home()


def test_the_region_moves_an_action_later(home, agent, action):
    assert "Actions en attente d’ouverture : 0" in home()
    start = timezone.localdate() + datetime.timedelta(days=10)

    response = agent.post(
        f"/region/actions/{action.pk}/modifier/",
        {
            "numero_bdc": action.numero_bdc,
            "intitule": action.intitule,
            "programme": action.programme,
            "lieu": action.lieu,
            "date_debut": start.strftime("%d/%m/%Y"),
            "date_fin": (start + datetime.timedelta(days=60)).strftime("%d/%m/%Y"),
            "places": action.places,
            "heures_prevues": action.heures_prevues,
            "version": 1,
        },
    )

    assert response.status_code == 302
    assert "Actions en attente d’ouverture : 1 Actions en cours : 0" in home()


def test_the_region_announces_seats(home, agent, action):
    assert "Aucune inscription de stagiaire en attente de saisie." in home()

    agent.post(f"/region/actions/{action.pk}/places/", {"nombre": 2})

    assert "2 inscriptions de stagiaires sont en attente de saisie sur 1 de vos actions." in home()


def test_an_import_fills_seats(home, action):
    InscriptionFactory.create_batch(2, action=action, awaiting_entry=True)
    assert "2 inscriptions de stagiaires sont en attente de saisie sur 1 de vos actions." in home()
    line = f"{action.numero_bdc};DUPONT;Hélène;14/03/1990;1234567A;{action.date_debut:%d/%m/%Y};"
    file = f"numero_bdc;nom;prenom;date_naissance;identifiant_france_travail;date_entree;date_sortie\n{line}\n"

    response = home.browser.post("/imports/", {"fichier": SimpleUploadedFile("import.csv", file.encode())})

    assert response.status_code == 302
    assert "1 inscription de stagiaire est en attente de saisie sur 1 de vos actions." in home()


def test_a_deleted_request_is_no_longer_counted(home, action):
    demande = DemandeModificationFactory(action=action)
    assert "1 demande de modification est en attente de traitement." in home()

    demande.delete()

    assert "Aucune demande de modification en attente." in home()


def test_the_counts_move_with_the_day(organisme):
    today = timezone.localdate()
    ActionFormationFactory(organisme=organisme, date_debut=today - datetime.timedelta(days=10), date_fin=today)

    assert dashboard.home_blocks(organisme, today)["my_actions"][1].text == "Actions en cours : 1"
    tomorrow = dashboard.home_blocks(organisme, today + datetime.timedelta(days=1))
    assert tomorrow["my_actions"][2].text == "Actions en retard de fermeture : 1"


def test_a_lost_token_never_brings_back_an_older_page(home, organisme, action):
    assert "Aucune facture n’est actuellement suspendue sur vos actions" in home()
    # A change the cache did not hear of (a bulk insert sends no signal), as if
    # the token it renewed had been lost.
    Facture.objects.bulk_create([Facture(action=action, numero="F-1", montant=10, status="suspendue")])
    cache.delete(dashboard._token_key(organisme.pk))

    assert "1 facture est actuellement suspendue sur vos actions" in home()


def test_an_emptied_cache_gives_the_right_counts_then_fills_again(home, action):
    FactureFactory(action=action)
    home()
    cache.clear()

    assert "1 facture est en attente de validation sur vos actions" in home()
    assert counting_queries(home) == []


def test_a_rolled_back_change_keeps_the_cached_page(home, action):
    home()

    with pytest.raises(RuntimeError), transaction.atomic():
        FactureFactory(action=action)
        raise RuntimeError

    assert counting_queries(home) == []
    assert "Aucune facture n’est en attente de validation sur vos actions" in home()


def test_a_change_committed_beside_a_rolled_back_savepoint_is_seen(home, action):
    home()

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            DemandeModificationFactory(action=action)
            raise RuntimeError
        FactureFactory(action=action)

    text = home()
    assert "1 facture est en attente de validation sur vos actions" in text
    assert "Aucune demande de modification en attente." in text


def test_counts_made_inside_a_transaction_are_never_cached(home, organisme, action):
    home()

    with pytest.raises(RuntimeError), transaction.atomic():
        FactureFactory(action=action)
        blocks = dashboard.home_blocks(organisme, timezone.localdate())
        assert blocks["my_invoicing"][0].text == "1 facture est en attente de validation sur vos actions"
        raise RuntimeError

    assert "Aucune facture n’est en attente de validation sur vos actions" in home()
