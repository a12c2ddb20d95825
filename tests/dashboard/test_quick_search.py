"""Recherche rapide, the header's box on every organisme page: the
organisme's own actions, trainees and (for the compte principal) accounts,
whatever the accents and case typed."""

import pytest

from tests.factories import ActionFormationFactory, InscriptionFactory, StagiaireFactory, UserFactory
from training.models import Stagiaire
from training.search import RESULTS_PER_GROUP


def search(client, query):
    return client.get("/recherche/", {"q": query})


def found(response, group):
    return response.context["groups"][group].results


@pytest.fixture
def trainee(organisme):
    return StagiaireFactory(organisme=organisme, nom="DUPRÉ", prenom="Émilie", identifiant_france_travail="1234567A")


def test_an_action_is_found_by_its_bdc_number_or_its_title_without_accents(client_of, secondary_account):
    action = ActionFormationFactory(
        organisme=secondary_account.organisme, numero_bdc="BDC-2026-0042", intitule="Secrétaire médicale"
    )
    client = client_of(secondary_account)

    assert found(search(client, "bdc-2026-0042"), "actions") == [action]
    response = search(client, "SECRETAIRE medicale")
    assert found(response, "actions") == [action]
    assert f'href="/actions/{action.pk}/"' in response.content.decode()


def test_a_trainee_is_found_by_name_or_identifiant_and_links_to_each_of_its_bdc(client_of, secondary_account, trainee):
    inscription = InscriptionFactory(action__organisme=secondary_account.organisme, stagiaire=trainee)
    client = client_of(secondary_account)

    assert found(search(client, "1234567a"), "stagiaires") == [trainee]
    response = search(client, "emilie dupre")
    assert found(response, "stagiaires") == [trainee]
    link = f'href="/actions/{inscription.action_id}/">BDC {inscription.action.numero_bdc}</a>'
    assert link in response.content.decode()


def test_a_trainee_corrected_on_its_inscription_is_found_by_its_new_name(client_of, secondary_account, trainee):
    trainee.nom = "MARTÍN"
    trainee.save(update_fields=["nom"])
    trainee.refresh_from_db()

    assert trainee.search_text == "martin emilie 1234567a"


def test_the_compte_principal_finds_its_secondary_accounts(client_of, primary_account, secondary_account):
    response = search(client_of(primary_account), "prenom test")

    assert found(response, "comptes") == [secondary_account]
    assert f'href="/organisme/comptes/{secondary_account.pk}/modifier/"' in response.content.decode()


def test_a_compte_secondaire_searches_no_account(client_of, secondary_account, second_secondary_account):
    response = search(client_of(secondary_account), "gu be")

    assert "comptes" not in response.context["groups"]
    assert "Comptes utilisateurs" not in response.content.decode()


def test_nothing_of_another_organisme_is_found(client_of, primary_account, other_organisme, other_secondary_account):
    ActionFormationFactory(organisme=other_organisme, numero_bdc="BDC-AUTRE-0001", intitule="Autre formation")
    StagiaireFactory(organisme=other_organisme, nom="AUTRE", identifiant_france_travail="9999999Z")
    client = client_of(primary_account)

    for query in ["autre", "BDC-AUTRE-0001", "9999999Z", other_secondary_account.identifiant]:
        groups = search(client, query).context["groups"]
        assert [group.total for group in groups.values()] == [0, 0, 0], query


def test_each_group_shows_its_first_results_and_says_how_many_there_are(client_of, secondary_account):
    organisme = secondary_account.organisme
    ActionFormationFactory.create_batch(RESULTS_PER_GROUP + 3, organisme=organisme, intitule="Cariste")

    response = search(client_of(secondary_account), "cariste")

    group = response.context["groups"]["actions"]
    assert (len(group.results), group.total) == (RESULTS_PER_GROUP, RESULTS_PER_GROUP + 3)
    page = response.content.decode()
    assert f"{RESULTS_PER_GROUP + 3} résultats\u00a0: les {RESULTS_PER_GROUP} premiers sont affichés." in page
    assert '<a href="/actions/?q=cariste">Voir les 13 actions' in page


def test_the_action_list_filter_ignores_accents_as_the_quick_search_does(client_of, secondary_account):
    action = ActionFormationFactory(organisme=secondary_account.organisme, intitule="Préparation opérateur")

    response = client_of(secondary_account).get("/actions/", {"q": "preparation OPERATEUR"})

    assert list(response.context["page"]) == [action]


def test_an_empty_search_explains_what_may_be_typed(client_of, primary_account):
    response = search(client_of(primary_account), "  ")

    assert "groups" not in response.context
    assert "Saisissez un numéro de BDC" in response.content.decode()


def test_a_search_that_finds_nothing_says_so(client_of, secondary_account):
    response = search(client_of(secondary_account), "introuvable")

    assert "Aucun résultat pour «\u00a0introuvable\u00a0»." in response.content.decode()


def test_the_box_is_in_the_header_of_every_organisme_page(client_of, secondary_account):
    page = client_of(secondary_account).get("/actions/").content.decode()

    assert '<form class="quick-search" role="search" method="get" action="/recherche/">' in page


def test_a_region_agent_is_taken_to_the_espace_region_search(client_of, region_agent):
    response = search(client_of(region_agent), "dupré")

    assert response.status_code == 302
    assert response["Location"] == "/region/?q=dupr%C3%A9"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = search(client, "x")

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("a" * 201, "Saisissez au plus 200 caractères (vous en avez saisi 201)."),
        ("BDC\x00", "Le caractère nul n’est pas autorisé."),
    ],
)
def test_an_overlong_or_null_search_is_explained_next_to_the_box(
    client_of, secondary_account, field_errors, typed, error
):
    response = search(client_of(secondary_account), typed)

    assert response.status_code == 200
    assert field_errors(response, "q") == [error]
    assert "groups" not in response.context


def test_new_trainees_of_an_import_are_searchable(secondary_account):
    stagiaire = Stagiaire(
        organisme=secondary_account.organisme, nom="Lefèvre", prenom="Zoé", identifiant_france_travail="1X"
    ).with_search_text()

    assert stagiaire.search_text == "lefevre zoe 1x"


def test_deactivated_accounts_are_found_with_their_state(client_of, primary_account):
    account = UserFactory(organisme=primary_account.organisme, last_name="ÉTÉ", is_active=False)

    response = search(client_of(primary_account), "ete")

    assert found(response, "comptes") == [account]
