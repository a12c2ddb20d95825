"""Espace Région > Recherche rapide: organismes by raison sociale, enseigne or
SIRET; accounts by identifiant, nom, prénom or courriel; whatever the accents
and the case, one page at a time."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from organisations.models import Organisme
from region.views import PAGE_SIZE
from tests.factories import OrganismeFactory, UserFactory

SEARCH = "/region/"
ORGANISME_COLUMNS = ["Raison sociale", "Enseigne", "SIRET", "Nombre de comptes"]
ACCOUNT_COLUMNS = [
    "Gestionnaire du compte",
    "Identifiant",
    "Courriel d’envoi des accès",
    "Organisme",
    "Type de compte",
    "Statut du compte",
    "Blocage du compte",
]


@pytest.fixture
def search(agent, section_of):
    """`search(q, **params)`: the ORGANISMES and COMPTES sections the agent reads."""

    def run(q, **params):
        response = agent.get(SEARCH, {"q": q, **params})
        assert response.status_code == 200
        comptes = section_of(response, "comptes") if 'id="comptes"' in response.text else None
        return section_of(response, "organismes"), comptes

    return run


@pytest.fixture
def societe_francaise(db):
    return OrganismeFactory(raison_sociale="Société Française d’Éducation", enseigne="Élan Pédagogie")


@pytest.fixture
def helene(organisme):
    return UserFactory(
        organisme=organisme,
        identifiant="Hélène.Lefèvre",
        last_name="LEFÈVRE",
        first_name="Hélène",
        email="Helene.Lefevre@Formation-Sud.fr",
    )


# Finding organismes


@pytest.mark.parametrize(
    "typed",
    [
        "société française",
        "SOCIETE FRANCAISE",
        "Societé FRANÇAISE d’éducation",
        "éducation",
        "élan",
        "ELAN PEDAGOGIE",
        "pédagogie",
    ],
)
def test_organismes_are_found_by_raison_sociale_or_enseigne_whatever_accents_and_case(
    search, societe_francaise, organisme, typed
):
    organismes, _comptes = search(typed)

    assert organismes.column("Raison sociale") == ["Société Française d’Éducation"]


def test_organismes_are_found_by_siret_or_part_of_it(search, societe_francaise, organisme):
    assert search(organisme.siret)[0].column("Raison sociale") == ["ORGANISME TEST PRF 23"]
    assert search(organisme.siret[:9])[0].column("Raison sociale") == ["ORGANISME TEST PRF 23"]


def test_an_organisme_row_gives_its_identity_and_its_number_of_accounts(
    search, organisme, primary_account, secondary_account
):
    UserFactory(organisme=organisme, deleted_at=timezone.now())
    Organisme.objects.filter(pk=organisme.pk).update(enseigne="OTP")

    organismes, _comptes = search("organisme test")

    assert organismes.headers == ORGANISME_COLUMNS
    assert organismes.rows == [["ORGANISME TEST PRF 23", "OTP", "12345678913000", "2"]]
    assert organismes.href("ORGANISME TEST PRF 23") == f"/region/organismes/{organisme.pk}/"
    assert "Nombre de résultats : 1" in organismes.text


def test_words_may_be_typed_in_any_order(search, societe_francaise):
    assert search("française société")[0].column("Raison sociale") == ["Société Française d’Éducation"]


# Finding accounts


@pytest.mark.parametrize(
    "typed",
    [
        "hélène.lefèvre",  # identifiant
        "HELENE.LEFEVRE",
        "lefevre",  # nom d'usage
        "Lefèvre",
        "HÉLÈNE",  # prénom
        "hélène lefèvre",
        "helene.lefevre@formation-sud.fr",  # courriel
        "FORMATION-SUD",
    ],
)
def test_accounts_are_found_by_identifiant_name_or_email_whatever_accents_and_case(
    search, helene, secondary_account, typed
):
    _organismes, comptes = search(typed)

    assert comptes.column("Identifiant") == ["Hélène.Lefèvre"]


def test_an_account_row_gives_the_guide_columns_its_organisme_and_its_kind(
    search, organisme, primary_account, secondary_account
):
    User.objects.filter(pk=secondary_account.pk).update(is_blocked=True, failed_login_count=3, is_active=False)

    _organismes, comptes = search("aa1@aa.fr")

    assert comptes.headers == ACCOUNT_COLUMNS
    assert comptes.rows == [
        [
            "NOM TEST COMPTE PRENOM TEST COMPTE",
            "test.identifiant",
            "aa1@aa.fr",
            "ORGANISME TEST PRF 23",
            "Compte secondaire",
            "Désactivé",
            "Bloqué",
        ]
    ]
    assert comptes.href("ORGANISME TEST PRF 23") == f"/region/organismes/{organisme.pk}/"
    primary_row = search("66bdj5zw4x")[1].rows[0]
    assert primary_row[4:] == ["Compte principal", "Actif", "Débloqué"]


def test_every_word_typed_must_match(search, primary_account, secondary_account):
    assert search("bla pau")[1].column("Identifiant") == ["66bdj5zw4x"]
    assert search("bla compte")[1].rows == []


def test_region_agents_and_deleted_accounts_are_not_listed(search, region_agent, organisme):
    UserFactory(organisme=organisme, last_name="SUPPRIMÉ", deleted_at=timezone.now())
    UserFactory(region_agent=True, last_name="SUPPRIMÉ")

    assert search("agent.region")[1].rows == []
    assert search("supprime")[1].rows == []


def test_the_search_matches_each_section_on_its_own_fields(search, organisme, helene):
    organismes, comptes = search("lefevre")
    assert organismes.rows == []
    assert comptes.column("Identifiant") == ["Hélène.Lefèvre"]

    organismes, comptes = search("organisme test")
    assert organismes.column("Raison sociale") == ["ORGANISME TEST PRF 23"]
    assert comptes.rows == []
    assert "Nombre de résultats : 0" in comptes.text


@pytest.mark.parametrize("typed", ["%", "_", "\\", "'; --"])
def test_typed_wildcards_match_only_themselves(search, organisme, helene, typed):
    organismes, comptes = search(typed)

    assert organismes.rows == []
    assert comptes.rows == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("x" * 201, "Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 201)."),
        ("organisme\x00test", "Le caractère nul n\u2019est pas autorisé."),
    ],
)
def test_an_overlong_or_null_query_is_explained_and_the_recent_organismes_shown(
    agent, page_of, field_errors, organisme, typed, message
):
    response = agent.get(SEARCH, {"q": typed})

    assert response.status_code == 200
    assert field_errors(response, "q") == [message]
    assert "Derniers organismes créés" in page_of(response).text


# An empty query


def test_an_empty_query_lists_the_most_recent_organismes_and_no_account(search, secondary_account):
    now = timezone.now()
    for days, name in [(3, "ANCIEN"), (1, "RÉCENT"), (2, "MOYEN")]:
        organisme = OrganismeFactory(raison_sociale=name)
        Organisme.objects.filter(pk=organisme.pk).update(created_at=now - timedelta(days=days))
    Organisme.objects.filter(pk=secondary_account.organisme_id).update(created_at=now - timedelta(days=10))

    organismes, comptes = search("")

    assert "Derniers organismes créés" in organismes.text
    assert organismes.column("Raison sociale") == ["RÉCENT", "MOYEN", "ANCIEN", "ORGANISME TEST PRF 23"]
    assert comptes is None


# One page at a time


def page_number(href, parameter):
    return parse_qs(urlsplit(href).query).get(parameter, [None])[0]


def test_each_section_has_its_own_pages(search, organisme):
    OrganismeFactory.create_batch(PAGE_SIZE + 5, raison_sociale="FORMATION CONTINUE")
    for n in range(PAGE_SIZE + 3):
        UserFactory(organisme=organisme, last_name="FORMATION", first_name=f"Prénom{n:02d}")

    organismes, comptes = search("formation")

    assert len(organismes.rows) == PAGE_SIZE
    assert len(comptes.rows) == PAGE_SIZE
    assert "Nombre de résultats : 25" in organismes.text
    assert "Nombre de résultats : 23" in comptes.text
    assert "Page 1 / 2" in organismes.text
    next_accounts = comptes.href("Page suivante")
    assert parse_qs(urlsplit(next_accounts).query)["q"] == ["formation"]
    assert urlsplit(next_accounts).fragment == "comptes"

    organismes, comptes = search("formation", page_comptes=page_number(next_accounts, "page_comptes"))

    assert len(organismes.rows) == PAGE_SIZE
    assert comptes.column("Gestionnaire du compte") == [f"FORMATION Prénom{n:02d}" for n in range(PAGE_SIZE, 23)]
    next_organismes = organismes.href("Page suivante")
    assert page_number(next_organismes, "page_comptes") == "2"

    organismes, comptes = search("formation", page_comptes="2", page_organismes="2")

    assert len(organismes.rows) == 5
    assert len(comptes.rows) == 3
    assert page_number(organismes.href("Page précédente"), "page_organismes") == "1"


def test_a_page_number_out_of_range_shows_the_last_page(search, db):
    OrganismeFactory.create_batch(PAGE_SIZE + 1, raison_sociale="FORMATION")

    for wrong in ["99", "abc", "-1"]:
        organismes, _comptes = search("formation", page_organismes=wrong)
        assert organismes.rows


def test_a_page_costs_the_same_number_of_queries_whatever_it_shows(agent, django_assert_max_num_queries):
    first = OrganismeFactory(raison_sociale="FORMATION")
    UserFactory(organisme=first, primary=True, last_name="FORMATION")
    with CaptureQueriesContext(connection) as few:
        agent.get(SEARCH, {"q": "formation"})
    for n in range(2 * PAGE_SIZE + 2):
        other = OrganismeFactory(raison_sociale=f"FORMATION {n}")
        UserFactory(organisme=other, primary=True, last_name="FORMATION")
        UserFactory(organisme=other, last_name="FORMATION")

    for params in [{"q": "formation"}, {"q": ""}, {"q": "formation", "page_organismes": "2", "page_comptes": "2"}]:
        with django_assert_max_num_queries(len(few)):
            response = agent.get(SEARCH, params)
        assert "FORMATION" in response.text


def test_past_the_limit_the_count_stops_and_asks_for_a_narrower_search(search, organisme, monkeypatch):
    # Counting every match would cost more as the data grows; nobody pages that far.
    monkeypatch.setattr("region.views.SEARCH_RESULTS_LIMIT", 2 * PAGE_SIZE)
    for n in range(2 * PAGE_SIZE + 1):
        UserFactory(organisme=organisme, last_name="FORMATION", first_name=f"Prénom{n:02d}")

    _organismes, comptes = search("formation")

    assert f"Plus de {2 * PAGE_SIZE} résultats : seuls les {2 * PAGE_SIZE} premiers sont affichés." in comptes.text
    assert "Précisez votre recherche." in comptes.text
    assert "Page 1 / 2" in comptes.text

    _organismes, comptes = search("formation", page_comptes="2")

    assert comptes.column("Gestionnaire du compte") == [
        f"FORMATION Prénom{n:02d}" for n in range(PAGE_SIZE, 2 * PAGE_SIZE)
    ]
    assert "Page suivante" not in comptes.text


def test_at_the_limit_the_exact_count_is_given(search, organisme, monkeypatch):
    monkeypatch.setattr("region.views.SEARCH_RESULTS_LIMIT", PAGE_SIZE)
    for n in range(PAGE_SIZE):
        UserFactory(organisme=organisme, last_name="FORMATION", first_name=f"Prénom{n:02d}")

    _organismes, comptes = search("formation")

    assert f"Nombre de résultats : {PAGE_SIZE}" in comptes.text
    assert "Plus de" not in comptes.text
