"""Comptes utilisateurs, the primary account's tools over its list (issue 17,
point 7): filters, sortable columns, the accent-insensitive search, the
Dernière connexion column and the CSV export of the accounts as filtered."""

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone

from tests.factories import OrganismeFactory, UserFactory

COMPTES = "/organisme/comptes/"
EXPORT = "/organisme/comptes/export.csv"


@pytest.fixture
def colleagues(organisme):
    """Three secondary accounts in three states, and one of another organisme."""
    now = timezone.now()
    return {
        "emilie": UserFactory(
            organisme=organisme, last_name="DUPRÉ", first_name="Émilie", identifiant="edupre", last_login=now
        ),
        "bloque": UserFactory(
            organisme=organisme,
            last_name="ARNAUD",
            first_name="Zoé",
            identifiant="zarnaud",
            is_blocked=True,
            second_factor=True,
            last_login=now - datetime.timedelta(days=30),
        ),
        "desactive": UserFactory(
            organisme=organisme, last_name="MARTIN", first_name="Luc", identifiant="lmartin", is_active=False
        ),
        "ailleurs": UserFactory(organisme=OrganismeFactory(), last_name="DUPRE", first_name="Autre"),
    }


@pytest.fixture
def listed(client_of, primary_account, page_of):
    """`listed(**query)`: the names the list shows, in its order."""

    def names(**query):
        response = client_of(primary_account).get(COMPTES, query)
        assert response.status_code == 200
        return [row[0] for row in page_of(response).rows]

    return names


@pytest.fixture
def exported(client_of, primary_account):
    """`exported(**query)`: the CSV's raw bytes and its lines split into cells."""

    def download(**query):
        response = client_of(primary_account).get(EXPORT, query)
        assert response.status_code == 200
        raw = b"".join(response.streaming_content)
        return response, raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))

    return download


def test_the_search_ignores_accents_and_case(listed, colleagues):
    assert listed(q="emilie dupre") == ["DUPRÉ Émilie"]
    assert listed(q="ÉMILIE") == ["DUPRÉ Émilie"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"statut": "actif"}, ["ARNAUD Zoé", "DUPRÉ Émilie"]),
        ({"statut": "desactive"}, ["MARTIN Luc"]),
        ({"blocage": "bloque"}, ["ARNAUD Zoé"]),
        ({"blocage": "debloque"}, ["DUPRÉ Émilie", "MARTIN Luc"]),
        ({"double_authentification": "activee"}, ["ARNAUD Zoé"]),
        ({"double_authentification": "non_activee"}, ["DUPRÉ Émilie", "MARTIN Luc"]),
        ({"statut": "actif", "blocage": "debloque"}, ["DUPRÉ Émilie"]),
        ({}, ["ARNAUD Zoé", "DUPRÉ Émilie", "MARTIN Luc"]),
    ],
)
def test_the_filters_show_the_accounts_in_that_state(listed, colleagues, query, shown):
    assert listed(**query) == shown


def test_a_filter_matching_nothing_says_so_and_offers_to_clear_it(client_of, primary_account, page_of, colleagues):
    page = page_of(client_of(primary_account).get(COMPTES, {"statut": "desactive", "blocage": "bloque"}))

    assert "Aucun compte ne correspond à cette recherche ou à ces filtres." in page.text
    assert page.href("Effacer les filtres") == COMPTES


def test_an_unknown_filter_value_is_explained_next_to_its_field(client_of, primary_account, field_errors, colleagues):
    response = client_of(primary_account).get(COMPTES, {"blocage": "peut-etre"})

    assert response.status_code == 200
    assert field_errors(response, "blocage") == ["Sélectionnez un état de blocage de la liste."]


@pytest.mark.parametrize(
    ("tri", "shown"),
    [
        ("gestionnaire", ["ARNAUD Zoé", "DUPRÉ Émilie", "MARTIN Luc"]),
        ("-gestionnaire", ["MARTIN Luc", "DUPRÉ Émilie", "ARNAUD Zoé"]),
        ("identifiant", ["DUPRÉ Émilie", "MARTIN Luc", "ARNAUD Zoé"]),
        ("-identifiant", ["ARNAUD Zoé", "MARTIN Luc", "DUPRÉ Émilie"]),
        # Never connected first, as the oldest connection would be.
        ("derniere_connexion", ["MARTIN Luc", "ARNAUD Zoé", "DUPRÉ Émilie"]),
        ("-derniere_connexion", ["DUPRÉ Émilie", "ARNAUD Zoé", "MARTIN Luc"]),
        ("n-importe-quoi", ["ARNAUD Zoé", "DUPRÉ Émilie", "MARTIN Luc"]),
    ],
)
def test_the_columns_sort_the_list(listed, colleagues, tri, shown):
    assert listed(tri=tri) == shown


def _sort_header(html, label):
    header = re.search(rf'<th scope="col"([^>]*)><a class="sort-link" href="([^"]*)">{label}</a></th>', html)
    assert header, f"no sortable header {label!r}"
    aria_sort = re.search(r'aria-sort="(\w+)"', header.group(1))
    return (aria_sort.group(1) if aria_sort else None), header.group(2).replace("&amp;", "&")


def test_sortable_headers_say_the_order_and_keep_the_filters(client_of, primary_account, colleagues):
    html = client_of(primary_account).get(COMPTES, {"statut": "actif", "tri": "identifiant", "page": "2"}).text

    assert _sort_header(html, "Identifiant") == ("ascending", "?statut=actif&tri=-identifiant")
    assert _sort_header(html, "Gestionnaire du compte") == (None, "?statut=actif&tri=gestionnaire")
    assert _sort_header(html, "Dernière connexion") == (None, "?statut=actif&tri=derniere_connexion")


def test_a_descending_header_says_so_and_turns_back_ascending(client_of, primary_account, colleagues):
    html = client_of(primary_account).get(COMPTES, {"tri": "-derniere_connexion"}).text

    assert _sort_header(html, "Dernière connexion") == ("descending", "?tri=derniere_connexion")


def test_the_derniere_connexion_column_shows_the_date_or_jamais(client_of, primary_account, page_of, colleagues):
    page = page_of(client_of(primary_account).get(COMPTES))
    last_logins = dict(zip(page.column(page.headers[0]), page.column("Dernière connexion"), strict=True))

    expected = f"{timezone.localtime(colleagues['emilie'].last_login):%d/%m/%Y à %H:%M}"
    assert last_logins["DUPRÉ Émilie"] == expected
    assert last_logins["MARTIN Luc"] == "Jamais"


def test_the_export_link_carries_the_filters_and_the_order(client_of, primary_account, page_of, colleagues):
    page = page_of(
        client_of(primary_account).get(COMPTES, {"blocage": "debloque", "tri": "-gestionnaire", "page": "1"})
    )

    assert page.href("Exporter (CSV)") == f"{EXPORT}?blocage=debloque&tri=-gestionnaire"


def test_the_export_is_a_french_spreadsheet_csv_of_the_filtered_accounts(exported, colleagues):
    response, raw, lines = exported(blocage="debloque", tri="-gestionnaire")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="comptes-12345678913000-')
    assert raw.startswith("\ufeff".encode())
    assert lines[0] == [
        "Civilité",
        "Nom d’usage",
        "Prénom",
        "Identifiant",
        "Courriel",
        "Statut du compte",
        "Blocage du compte",
        "Double authentification",
        "Dernière connexion",
        "Créé le",
    ]
    assert [line[1:4] for line in lines[1:]] == [["MARTIN", "Luc", "lmartin"], ["DUPRÉ", "Émilie", "edupre"]]
    assert lines[1][5:9] == ["Désactivé", "Débloqué", "Non activée", "Jamais"]


def test_the_export_shows_a_formula_as_text(exported, organisme):
    UserFactory(organisme=organisme, last_name='=HYPERLINK("http://x")', first_name="@SUM(1)", identifiant="f1")

    _response, _raw, lines = exported()

    assert lines[1][1:3] == ['\'=HYPERLINK("http://x")', "'@SUM(1)"]
