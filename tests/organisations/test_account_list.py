"""Gestion organisme > Comptes utilisateurs (guide, section 2): the list of the
organisme's secondary accounts, its pages and its search box."""

import pytest
from django.utils import timezone

from tests.factories import OrganismeFactory, UserFactory

COMPTES = "/organisme/comptes/"
COLUMNS = [
    "Gestionnaire du compte",
    "Identifiant",
    "Courriel d’envoi des accès",
    "Statut du compte",
    "Blocage du compte",
    # Beyond the guide: when the account last logged in and how many sessions
    # (Mes sessions) it has open, the last e-mail sent to it and whether it arrived.
    "Dernière connexion",
    "Dernier courriel",
    "Gestion",
]


@pytest.fixture
def open_list(client_of, primary_account):
    """`open_list(**query)`: Comptes utilisateurs as the primary account sees it."""

    def open_page(**query):
        response = client_of(primary_account).get(COMPTES, query)
        assert response.status_code == 200
        return response

    return open_page


@pytest.fixture
def twenty_seven_colleagues(organisme):
    """27 secondary accounts, listed in the order of their names NOM01..NOM27."""
    return [
        UserFactory(organisme=organisme, last_name=f"NOM{n:02d}", first_name="Prénom", identifiant=f"collegue{n:02d}")
        for n in range(1, 28)
    ]


@pytest.fixture
def gu_be(organisme):
    """The guide's other secondary account: M. GU Be."""
    return UserFactory(
        organisme=organisme,
        civilite="monsieur",
        last_name="GU",
        first_name="Be",
        identifiant="8wwapv3bzk",
        email="contact@formation-sud.fr",
    )


def test_list_shows_the_secondary_accounts_rubrique_with_the_guide_columns(open_list, page_of, secondary_account):
    page = page_of(open_list())

    assert "Informations des comptes secondaires" in page.text
    assert page.href("Créer un nouveau compte") == "/organisme/comptes/nouveau/"
    assert page.headers == COLUMNS


def test_list_shows_the_organisme_identity(open_list, page_of, secondary_account):
    text = page_of(open_list()).text

    assert "Raison sociale : ORGANISME TEST PRF 23 Enseigne : - SIRET : 12345678913000" in text


def test_the_primary_account_block_is_above_the_secondary_accounts_as_in_the_guide(
    open_list, page_of, primary_account, secondary_account
):
    text = page_of(open_list()).text

    block = (
        "Informations du compte principal "
        "Gestionnaire du compte : Mme BLA PAU "
        "Identifiant : 66bdj5zw4x "
        "Mot de passe : ***** "
        f"Courriel d’envoi des accès : {primary_account.email} "
        "Statut du compte : Actif "
        "Blocage du compte : Débloqué"
    )
    assert block in text
    assert text.index(block) < text.index("Informations des comptes secondaires")


def test_a_secondary_account_row_reads_as_in_the_guide(open_list, page_of, secondary_account):
    (row,) = page_of(open_list()).rows

    assert row[:5] == ["NOM TEST COMPTE PRENOM TEST COMPTE", "test.identifiant", "aa1@aa.fr", "Actif", "Débloqué"]
    gestion = row[-1]
    for offered in ("Modifier", "Régénérer le mot de passe", "Désactiver le compte", "Supprimer"):
        assert offered in gestion
    assert "Débloquer le compte" not in gestion
    assert "Activer le compte" not in gestion


def test_a_blocked_account_shows_bloque_and_offers_to_unblock_it(open_list, page_of, organisme):
    UserFactory(organisme=organisme, blocked=True)

    page = page_of(open_list())

    assert page.column("Blocage du compte") == ["Bloqué"]
    assert "Débloquer le compte" in page.column("Gestion")[0]


def test_a_deactivated_account_shows_desactive_and_offers_to_activate_it(open_list, page_of, organisme):
    UserFactory(organisme=organisme, deactivated=True)

    page = page_of(open_list())

    assert page.column("Statut du compte") == ["Désactivé"]
    assert "Activer le compte" in page.column("Gestion")[0]
    assert "Désactiver le compte" not in page.column("Gestion")[0]


def test_list_counts_its_results(open_list, page_of, secondary_account, gu_be):
    page = page_of(open_list())

    assert "Nombre de résultats : 2" in page.text
    assert page.column("Identifiant") == ["8wwapv3bzk", "test.identifiant"]


def test_list_shows_only_this_organisme_living_secondary_accounts(
    open_list, page_of, primary_account, secondary_account, other_primary_account, other_secondary_account
):
    deleted = UserFactory(organisme=secondary_account.organisme, deleted_at=timezone.now())

    page = page_of(open_list())

    # The primary account is in its own block above, not among the secondary accounts.
    assert page.column("Identifiant") == ["test.identifiant"]
    assert "Nombre de résultats : 1" in page.text
    for hidden in (deleted, other_primary_account, other_secondary_account):
        assert hidden.identifiant not in page.text


def test_organisme_without_secondary_account_has_zero_results(open_list, page_of, primary_account):
    page = page_of(open_list())

    assert "Nombre de résultats : 0" in page.text
    assert page.rows == []
    assert page.href("Créer un nouveau compte") == "/organisme/comptes/nouveau/"


def test_list_shows_ten_results_per_page_by_default(open_list, page_of, twenty_seven_colleagues):
    page = page_of(open_list())

    assert "Nombre de résultats : 27" in page.text
    assert page.column("Identifiant") == [f"collegue{n:02d}" for n in range(1, 11)]
    assert "Page 1 / 3" in page.text


def test_next_page_shows_the_following_accounts(open_list, page_of, twenty_seven_colleagues, client):
    first = page_of(open_list())

    second = page_of(client.get(COMPTES + first.href("Page suivante")))

    assert second.column("Identifiant") == [f"collegue{n:02d}" for n in range(11, 21)]
    assert "Page 2 / 3" in second.text
    assert second.has_link("Page précédente")


def test_last_page_shows_the_remaining_accounts(open_list, page_of, twenty_seven_colleagues):
    page = page_of(open_list(page=3))

    assert page.column("Identifiant") == [f"collegue{n:02d}" for n in range(21, 28)]
    assert not page.has_link("Page suivante")


@pytest.mark.parametrize(("par_page", "shown"), [("10", 10), ("25", 25), ("50", 27), ("100", 27)])
def test_user_chooses_how_many_results_per_page(open_list, page_of, twenty_seven_colleagues, par_page, shown):
    response = open_list(par_page=par_page)

    assert len(page_of(response).rows) == shown
    assert f'<option value="{par_page}" selected>' in response.content.decode()


def test_pages_keep_the_chosen_number_per_page_and_the_search(open_list, page_of, twenty_seven_colleagues, client):
    first = page_of(open_list(par_page="25", q="nom"))

    second = page_of(client.get(COMPTES + first.href("Page suivante")))

    assert second.column("Identifiant") == ["collegue26", "collegue27"]
    assert "Nombre de résultats : 27" in second.text


@pytest.mark.parametrize("par_page", ["7", "0", "-10", "1000", "abc", "", "25abc", "2.5"])
def test_other_numbers_per_page_fall_back_to_ten(open_list, page_of, twenty_seven_colleagues, par_page):
    response = open_list(par_page=par_page)

    assert len(page_of(response).rows) == 10
    assert '<option value="10" selected>' in response.content.decode()


@pytest.mark.parametrize("page_number", ["abc", "", "1.5", "\x00"])
def test_a_meaningless_page_number_shows_the_first_page(open_list, page_of, twenty_seven_colleagues, page_number):
    page = page_of(open_list(page=page_number))

    assert page.column("Identifiant")[0] == "collegue01"


def test_a_page_number_past_the_end_shows_the_last_page(open_list, page_of, twenty_seven_colleagues):
    page = page_of(open_list(page="99"))

    assert page.column("Identifiant") == [f"collegue{n:02d}" for n in range(21, 28)]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        pytest.param("gu", "8wwapv3bzk", id="nom"),
        pytest.param("BE", "8wwapv3bzk", id="prénom, whatever the case"),
        pytest.param("8WWAP", "8wwapv3bzk", id="identifiant"),
        pytest.param("formation-sud", "8wwapv3bzk", id="courriel"),
        pytest.param("Nom Test", "test.identifiant", id="nom, several words"),
        pytest.param("prenom test", "test.identifiant", id="prénom, several words"),
        pytest.param("Prénom Tèst", "test.identifiant", id="whatever the accents, as the Région searches"),
        pytest.param("test.ident", "test.identifiant", id="identifiant, part"),
        pytest.param("aa1@", "test.identifiant", id="courriel, part"),
        pytest.param("  gu  ", "8wwapv3bzk", id="spaces around"),
    ],
)
def test_search_finds_accounts_by_nom_prenom_identifiant_or_courriel(
    open_list, page_of, secondary_account, gu_be, query, found
):
    page = page_of(open_list(q=query))

    assert page.column("Identifiant") == [found]
    assert "Nombre de résultats : 1" in page.text


def test_search_keeps_what_was_typed_in_the_box(open_list, secondary_account):
    page = open_list(q="PRENOM <test>").content.decode()

    assert 'name="q" value="PRENOM &lt;test&gt;"' in page


def test_search_finding_nothing_says_so(open_list, page_of, secondary_account):
    page = page_of(open_list(q="introuvable"))

    assert "Nombre de résultats : 0" in page.text
    assert page.rows == []


def test_search_never_finds_another_organisme_accounts(open_list, page_of, secondary_account, primary_account):
    UserFactory(organisme=OrganismeFactory(), last_name="NOM TEST COMPTE", identifiant="homonyme")

    page = page_of(open_list(q="NOM TEST COMPTE"))

    assert page.column("Identifiant") == ["test.identifiant"]
    assert page_of(open_list(q=primary_account.identifiant)).rows == []


def test_search_with_a_null_character_does_not_break_the_page(open_list, page_of, secondary_account):
    page = page_of(open_list(q="NOM\x00"))

    assert page.column("Identifiant") == ["test.identifiant"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("😀" * 20_000, "Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 20000)."),
        # Django's own French message, with its typographic apostrophe.
        ("BLA\x00", "Le caractère nul n\N{RIGHT SINGLE QUOTATION MARK}est pas autorisé."),
    ],
)
def test_an_overlong_or_null_search_is_explained_and_every_account_listed(
    client_of, primary_account, secondary_account, field_errors, typed, message
):
    response = client_of(primary_account).get("/organisme/comptes/", {"q": typed})

    assert response.status_code == 200
    assert field_errors(response, "q") == [message]
    assert secondary_account.identifiant in response.text
