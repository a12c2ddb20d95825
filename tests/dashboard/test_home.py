import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    ActionFormationFactory,
    BilanFactory,
    DemandeModificationFactory,
    FactureFactory,
    InscriptionFactory,
    PeriodeDeclarationFactory,
    UserFactory,
)
from training.dashboard import dashboard_counts

NOTHING_PENDING = [
    "Actions en attente d’ouverture : 0",
    "Actions en cours : 0",
    "Actions en retard de fermeture : 0",
    "Inscriptions en attente Aucune inscription de stagiaire en attente de saisie.",
    "Déclarations de réalisations en attente Aucune période de déclaration en attente de validation.",
    "Bilans de situation en attente Aucun bilan de situation à la sortie en attente de validation. "
    "Aucun bilan de situation à 3 mois en attente de validation. "
    "Aucun bilan de situation à 6 mois en attente de validation.",
    "Bilans de satisfaction en attente Aucun bilan de satisfaction en attente de validation.",
    "Questionnaires de suivi en attente Aucun questionnaire de suivi en attente de validation.",
    "Ma facturation Aucune facture n’est en attente de validation sur vos actions "
    "Aucune facture n’a été rejetée dans les 30 derniers jours sur vos actions "
    "Aucune facture n’est en attente d’émission sur vos actions "
    "Aucune facture n’est actuellement suspendue sur vos actions",
    "Mes demandes Aucune demande de modification en attente.",
]


@pytest.fixture
def home_text(client_of, primary_account, page_of):
    """`home_text()`: the home page of ORGANISME TEST PRF 23's compte principal, as it reads."""

    def read(account=primary_account):
        response = client_of(account).get("/")
        assert response.status_code == 200
        return page_of(response).text

    return read


@pytest.fixture
def home_page(client_of, primary_account, page_of):
    def read(account=primary_account):
        return page_of(client_of(account).get("/"))

    return read


@pytest.fixture
def with_lists(settings):
    """The action and invoice lists the counts link to exist."""
    settings.ROOT_URLCONF = "tests.dashboard.urls"


def months_ago(count):
    month = timezone.localdate().replace(day=1)
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def test_an_organisme_with_nothing_pending_reads_every_block_in_the_negative(home_text):
    text = home_text()

    for heading in ["Mes actions", "Indicateurs de suivi", "Ma facturation", "Mes demandes"]:
        assert heading in text
    for sentence in NOTHING_PENDING:
        assert sentence in text


def test_the_guide_home_page(home_text, organisme, secondary_account):
    """The screenshot: 1 action en cours, 57 periods waiting on it, 2 invoices waiting."""
    action = ActionFormationFactory(organisme=organisme)
    for month in range(1, 58):
        PeriodeDeclarationFactory(action=action, mois=months_ago(month))
    FactureFactory.create_batch(2, action=action)

    text = home_text(secondary_account)

    assert "Actions en attente d’ouverture : 0 Actions en cours : 1 Actions en retard de fermeture : 0" in text
    assert "57 périodes de déclaration n’ont pas fait l’objet de validation sur 1 de vos actions." in text
    assert "2 factures sont en attente de validation sur vos actions" in text
    assert "Aucune inscription de stagiaire en attente de saisie." in text


def test_actions_are_counted_by_state(home_text, organisme):
    ActionFormationFactory.create_batch(2, organisme=organisme, awaiting_opening=True)
    ActionFormationFactory(organisme=organisme)
    ActionFormationFactory.create_batch(3, organisme=organisme, late_closing=True)
    ActionFormationFactory(organisme=organisme, closed=True)

    text = home_text()

    assert "Actions en attente d’ouverture : 2 Actions en cours : 1 Actions en retard de fermeture : 3" in text


def test_one_inscription_awaiting_entry(home_text, organisme):
    action = ActionFormationFactory(organisme=organisme)
    InscriptionFactory(action=action, awaiting_entry=True)
    InscriptionFactory(action=action)

    assert "1 inscription de stagiaire est en attente de saisie sur 1 de vos actions." in home_text()


def test_inscriptions_awaiting_entry_on_several_actions(home_text, organisme):
    first, second = ActionFormationFactory.create_batch(2, organisme=organisme)
    InscriptionFactory.create_batch(2, action=first, awaiting_entry=True)
    InscriptionFactory(action=second, awaiting_entry=True)

    assert "3 inscriptions de stagiaires sont en attente de saisie sur 2 de vos actions." in home_text()


def test_only_past_months_not_validated_are_pending_declarations(home_text, organisme):
    action = ActionFormationFactory(organisme=organisme)
    PeriodeDeclarationFactory(action=action, mois=months_ago(2))
    PeriodeDeclarationFactory(action=action, mois=months_ago(1), validated=True)
    PeriodeDeclarationFactory(action=action, mois=months_ago(0))

    assert "1 période de déclaration n’a pas fait l’objet de validation sur 1 de vos actions." in home_text()


@pytest.mark.parametrize(
    ("kind", "one", "two"),
    [
        (
            "situation_sortie",
            "1 bilan de situation à la sortie est en attente de validation.",
            "2 bilans de situation à la sortie sont en attente de validation.",
        ),
        (
            "situation_3_mois",
            "1 bilan de situation à 3 mois est en attente de validation.",
            "2 bilans de situation à 3 mois sont en attente de validation.",
        ),
        (
            "situation_6_mois",
            "1 bilan de situation à 6 mois est en attente de validation.",
            "2 bilans de situation à 6 mois sont en attente de validation.",
        ),
        (
            "satisfaction",
            "1 bilan de satisfaction est en attente de validation.",
            "2 bilans de satisfaction sont en attente de validation.",
        ),
        (
            "questionnaire_suivi",
            "1 questionnaire de suivi est en attente de validation.",
            "2 questionnaires de suivi sont en attente de validation.",
        ),
    ],
)
def test_bilans_not_validated_are_pending(home_text, organisme, kind, one, two):
    action = ActionFormationFactory(organisme=organisme)
    BilanFactory(inscription__action=action, kind=kind)
    BilanFactory(inscription__action=action, kind=kind, validated=True)
    assert one in home_text()

    BilanFactory(inscription__action=action, kind=kind)
    text = home_text()
    assert two in text
    assert one not in text


@pytest.mark.parametrize(
    ("status", "one", "two"),
    [
        (
            "en_attente_validation",
            "1 facture est en attente de validation sur vos actions",
            "2 factures sont en attente de validation sur vos actions",
        ),
        (
            "en_attente_emission",
            "1 facture est en attente d’émission sur vos actions",
            "2 factures sont en attente d’émission sur vos actions",
        ),
        (
            "suspendue",
            "1 facture est actuellement suspendue sur vos actions",
            "2 factures sont actuellement suspendues sur vos actions",
        ),
    ],
)
def test_invoices_are_counted_by_status(home_text, organisme, status, one, two):
    action = ActionFormationFactory(organisme=organisme)
    FactureFactory(action=action, status=status)
    FactureFactory(action=action, status="payee")
    assert one in home_text()

    FactureFactory(action=action, status=status)
    assert two in home_text()


def test_invoices_rejected_in_the_last_30_days(home_text, organisme):
    action = ActionFormationFactory(organisme=organisme)
    today = timezone.localdate()
    FactureFactory(action=action, rejected=True, rejected_on=today - datetime.timedelta(days=30))
    FactureFactory(action=action, rejected=True, rejected_on=today - datetime.timedelta(days=29))
    assert "1 facture a été rejetée dans les 30 derniers jours sur vos actions" in home_text()

    FactureFactory(action=action, rejected=True, rejected_on=today)
    assert "2 factures ont été rejetées dans les 30 derniers jours sur vos actions" in home_text()


def test_change_requests_waiting(home_text, organisme):
    action = ActionFormationFactory(organisme=organisme)
    DemandeModificationFactory(action=action)
    DemandeModificationFactory(action=action, status="acceptee")
    assert "1 demande de modification est en attente de traitement." in home_text()

    DemandeModificationFactory(action=action)
    assert "2 demandes de modification sont en attente de traitement." in home_text()


def fill_with_pending_work(organisme, actions=1):
    """Something pending in every count of the home page, on `actions` actions."""
    for _ in range(actions):
        action = ActionFormationFactory(organisme=organisme)
        ActionFormationFactory(organisme=organisme, awaiting_opening=True)
        ActionFormationFactory(organisme=organisme, late_closing=True)
        InscriptionFactory(action=action, awaiting_entry=True)
        PeriodeDeclarationFactory(action=action)
        # A trainee who left 200 days ago: each of the five bilans is due and not validated.
        InscriptionFactory(action=action, date_sortie=timezone.localdate() - datetime.timedelta(days=200))
        for status in ["en_attente_validation", "en_attente_emission", "suspendue"]:
            FactureFactory(action=action, status=status)
        FactureFactory(action=action, rejected=True)
        DemandeModificationFactory(action=action)


def test_other_organismes_work_is_never_counted(home_text, other_organisme):
    fill_with_pending_work(other_organisme, actions=2)

    text = home_text()

    for sentence in NOTHING_PENDING:
        assert sentence in text


def test_every_non_zero_count_links_to_its_filtered_list(home_page, organisme, with_lists):
    fill_with_pending_work(organisme)

    page = home_page()

    expected = {
        "Actions en attente d’ouverture : 1": "/actions/?etat=en_attente_ouverture",
        "Actions en cours : 1": "/actions/?etat=en_cours",
        "Actions en retard de fermeture : 1": "/actions/?etat=en_retard_fermeture",
        "Voir toutes mes actions": "/actions/",
        "1 inscription de stagiaire": "/actions/?a_traiter=inscriptions",
        "1 période de déclaration": "/actions/?a_traiter=declarations",
        "1 bilan de situation à la sortie": "/actions/bilans/?type=situation_sortie",
        "1 bilan de situation à 3 mois": "/actions/bilans/?type=situation_3_mois",
        "1 bilan de situation à 6 mois": "/actions/bilans/?type=situation_6_mois",
        "1 bilan de satisfaction": "/actions/bilans/?type=satisfaction",
        "1 questionnaire de suivi": "/actions/bilans/?type=questionnaire_suivi",
        "1 facture est en attente de validation": "/actions/factures/?statut=en_attente_validation",
        "1 facture a été rejetée": "/actions/factures/?statut=rejetee",
        "1 facture est en attente d’émission": "/actions/factures/?statut=en_attente_emission",
        "1 facture est actuellement suspendue": "/actions/factures/?statut=suspendue",
        "1 demande de modification": "/actions/demandes/?statut=en_attente",
    }
    for text, href in expected.items():
        assert page.href(text) == href


def test_zero_counts_are_not_links(home_page, with_lists):
    page = home_page()

    assert page.has_link("Voir toutes mes actions")
    for sentence in ["Actions en cours", "Aucune", "Aucun"]:
        assert not page.has_link(sentence)


def test_region_agents_home_has_no_organisme_blocks(home_text, region_agent):
    text = home_text(region_agent)

    assert "Mes actions" not in text
    assert "Ma facturation" not in text


def test_counts_over_every_organisme(organisme, other_organisme):
    fill_with_pending_work(organisme)
    fill_with_pending_work(other_organisme, actions=2)

    counts = dashboard_counts(None, timezone.localdate())

    assert counts.actions_en_cours == 3
    assert counts.inscriptions_en_attente == 3
    assert counts.actions_with_periodes_en_attente == 3
    assert counts.factures_rejetees == 3
    assert counts.demandes_en_attente == 3


# Session, account, organisme, handover proposal, and six aggregates for the blocks.
MAX_HOME_QUERIES = 10


def queries_of_home_page(client_of, account):
    client = client_of(account)
    client.get("/")  # the session and the like, once
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_home_page_costs_the_same_queries_whatever_the_organisme_size(
    client_of, primary_account, other_primary_account, django_assert_max_num_queries
):
    fill_with_pending_work(primary_account.organisme, actions=1)
    fill_with_pending_work(other_primary_account.organisme, actions=15)
    UserFactory.create_batch(5, organisme=other_primary_account.organisme)

    small = queries_of_home_page(client_of, primary_account)
    large = queries_of_home_page(client_of, other_primary_account)

    assert small == large
    for account in [primary_account, other_primary_account]:
        client = client_of(account)
        with django_assert_max_num_queries(MAX_HOME_QUERIES):
            client.get("/")


def test_every_link_of_the_home_page_opens_its_list(home_page, client_of, primary_account, organisme):
    fill_with_pending_work(organisme)

    page = home_page()
    links = [
        href
        for _, href in page.links
        if href.startswith(("/actions/?", "/actions/factures/?", "/actions/bilans/?", "/actions/demandes/?"))
    ]

    assert len(links) == 15
    for href in links:
        assert client_of(primary_account).get(href).status_code == 200, href
