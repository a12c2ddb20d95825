"""Historique: the trail as a primary account (Gestion organisme > Historique)
and a Region agent (with the organisme filter and the CSV export) read it:
French dates, authors and changes, filters, pagination by 50."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from audit.models import AuditEntry
from tests.accounts.login import log_in
from tests.factories import OrganismeFactory, UserFactory

Action = AuditEntry.Action
ORGANISME_HISTORY = "/organisme/historique/"
REGION_HISTORY = "/region/historique/"
REGION_CSV = "/region/historique/export.csv"
COLLEAGUE_NAME = "Madame NOM TEST COMPTE PRENOM TEST COMPTE"
# 14:04:09 in Paris (winter time), 12:00:00 in Paris (summer time)
WINTER = datetime(2026, 3, 5, 13, 4, 9, tzinfo=UTC)
SUMMER = datetime(2026, 7, 14, 10, 0, 0, tzinfo=UTC)
CSV_HEADER = ["Date", "Événement", "Auteur", "Type d’auteur", "Compte", "Organisme", "Détails", "Adresse IP"]
INVALID_DATE = "Saisissez une date valide, par exemple 31/12/2026."


def paris(year, month, day, hour, minute):
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def csv_rows(response):
    """The export as Excel reads it: UTF-8 with a byte order mark, ; between cells."""
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))


def queries_to_read(browser, url):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.fixture
def manager(client_of, primary_account):
    return client_of(primary_account)


@pytest.fixture
def agent(browser_of, region_agent):
    """A Region agent's browser, next to the primary account's."""
    return browser_of(region_agent)


# Gestion organisme > Historique


def test_historique_is_in_the_gestion_organisme_menu(manager, page_of):
    page = page_of(manager.get("/organisme/fiche/"))
    assert page.href("Historique") == ORGANISME_HISTORY

    response = manager.get(ORGANISME_HISTORY)

    assert 'href="/organisme/historique/" aria-current="page"' in response.content.decode()
    assert 'href="/organisme/comptes/" aria-current="page"' not in response.content.decode()
    assert "Fil d\u2019Ariane" in response.content.decode()
    assert "Accueil Gestion organisme Historique" in page_of(response).text


def test_primary_account_reads_its_organisme_events_in_french(
    manager, page_of, add_entry, primary_account, secondary_account
):
    add_entry(
        secondary_account,
        action=Action.ACCOUNT_MODIFIED,
        at=WINTER,
        actor=primary_account,
        changes={"last_name": ["GU", "GUY"]},
        ip="127.0.0.1",
    )
    add_entry(secondary_account, action=Action.LOGIN_FAILED, at=SUMMER, changes={"reason": "wrong_password"})

    page = page_of(manager.get(ORGANISME_HISTORY))

    assert "Raison sociale : ORGANISME TEST PRF 23" in page.text
    assert "Nombre de résultats : 2" in page.text
    assert page.headers == ["Date", "Événement", "Auteur", "Compte", "Détails", "Adresse IP"]
    assert page.rows == [
        [
            "14/07/2026 12:00:00",
            "Échec de connexion",
            "système",
            COLLEAGUE_NAME,
            "Motif : mot de passe incorrect",
            "10.0.0.1",
        ],
        [
            "05/03/2026 14:04:09",
            "Modification du compte",
            "Madame BLA PAU (Compte principal)",
            COLLEAGUE_NAME,
            "Nom d’usage : GU → GUY",
            "127.0.0.1",
        ],
    ]


def test_history_shows_what_the_actions_recorded(manager, page_of, primary_account, secondary_account):
    manager.post(
        f"/organisme/comptes/{secondary_account.pk}/modifier/",
        {"civilite": "monsieur", "last_name": "GU", "first_name": "Be", "email": "aa1@aa.fr", "version": 1},
    )
    manager.post(f"/organisme/comptes/{secondary_account.pk}/desactiver/")

    page = page_of(manager.get(ORGANISME_HISTORY))

    assert [row[1:] for row in page.rows] == [
        ["Désactivation du compte", "Madame BLA PAU (Compte principal)", "Monsieur GU Be", "-", "127.0.0.1"],
        [
            "Modification du compte",
            "Madame BLA PAU (Compte principal)",
            "Monsieur GU Be",
            "Civilité : Madame → Monsieur Nom d’usage : NOM TEST COMPTE → GU Prénom : PRENOM TEST COMPTE → Be",
            "127.0.0.1",
        ],
    ]


def test_empty_history_says_so(manager, page_of):
    page = page_of(manager.get(ORGANISME_HISTORY))

    assert "Nombre de résultats : 0" in page.text
    assert "Aucun événement ne correspond à ces critères." in page.text
    assert page.rows == []


# Filters


@pytest.fixture
def events(add_entry, primary_account, secondary_account):
    """Four events of the organisme, around midnight in Paris on 5-6 March 2026."""
    return {
        "colleague_login_evening": add_entry(secondary_account, at=paris(2026, 3, 5, 23, 30)),
        "colleague_failure_night": add_entry(
            secondary_account, action=Action.LOGIN_FAILED, at=paris(2026, 3, 6, 0, 10)
        ),
        "manager_login_next_day": add_entry(primary_account, at=paris(2026, 3, 6, 9, 0)),
        "manager_login_before": add_entry(primary_account, at=paris(2026, 3, 4, 23, 59)),
    }


def shown(page, events):
    """Which of `events` the page lists, by their names, in its order."""
    names = {f"{timezone.localtime(entry.at):%d/%m/%Y %H:%M:%S}": name for name, entry in events.items()}
    return [names[row[0]] for row in page.rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["manager_login_next_day", "colleague_failure_night", "colleague_login_evening", "manager_login_before"]),
        ("evenement=login_failed", ["colleague_failure_night"]),
        ("du=2026-03-05&au=2026-03-05", ["colleague_login_evening"]),
        ("du=2026-03-06", ["manager_login_next_day", "colleague_failure_night"]),
        ("au=2026-03-05", ["colleague_login_evening", "manager_login_before"]),
        (
            "du=05/03/2026&au=06/03/2026",
            ["manager_login_next_day", "colleague_failure_night", "colleague_login_evening"],
        ),
        ("evenement=login_succeeded&au=2026-03-05", ["colleague_login_evening", "manager_login_before"]),
    ],
)
def test_filters_by_event_and_by_days_in_paris_time(query, expected, manager, page_of, events):
    page = page_of(manager.get(f"{ORGANISME_HISTORY}?{query}"))

    assert shown(page, events) == expected


def test_filters_by_account(manager, page_of, events, secondary_account):
    page = page_of(manager.get(f"{ORGANISME_HISTORY}?compte={secondary_account.pk}"))

    assert shown(page, events) == ["colleague_failure_night", "colleague_login_evening"]
    assert f'<option value="{secondary_account.pk}" selected>NOM TEST COMPTE PRENOM TEST COMPTE</option>' in (
        manager.get(f"{ORGANISME_HISTORY}?compte={secondary_account.pk}").content.decode()
    )


def test_account_filter_offers_the_organisme_accounts_deleted_ones_included(
    manager, primary_account, secondary_account, other_primary_account, region_agent
):
    services.delete_account(secondary_account, acting_account=primary_account)

    markup = manager.get(ORGANISME_HISTORY).content.decode()

    assert f'<option value="{primary_account.pk}">BLA PAU</option>' in markup
    assert f'<option value="{secondary_account.pk}">NOM TEST COMPTE PRENOM TEST COMPTE (supprimé)</option>' in markup
    assert f'value="{other_primary_account.pk}"' not in markup
    assert f'value="{region_agent.pk}"' not in markup


def test_a_deleted_account_history_stays_readable(manager, page_of, primary_account, secondary_account, password):
    log_in(Client(), "test.identifiant", password)
    manager.post(f"/organisme/comptes/{secondary_account.pk}/supprimer/")

    page = page_of(manager.get(f"{ORGANISME_HISTORY}?compte={secondary_account.pk}"))

    assert [row[1:4] for row in page.rows] == [
        ["Suppression du compte", "Madame BLA PAU (Compte principal)", COLLEAGUE_NAME],
        ["Connexion réussie", f"{COLLEAGUE_NAME} (Compte secondaire)", COLLEAGUE_NAME],
    ]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("du=31/02/2026", "du", INVALID_DATE),
        ("au=demain", "au", INVALID_DATE),
        ("du=2026-13-01", "du", INVALID_DATE),
        ("du=01/01/1900", "du", "Saisissez une date comprise entre le 01/01/2000 et le 31/12/2999."),
        ("au=9999-12-31", "au", "Saisissez une date comprise entre le 01/01/2000 et le 31/12/2999."),
        (
            "du=2026-03-06&au=2026-03-05",
            "au",
            "La date de fin doit être postérieure ou égale à la date de début.",
        ),
        ("evenement=password_seen", "evenement", "Sélectionnez un événement de la liste."),
        ("compte=abc", "compte", "Sélectionnez un compte de la liste."),
        # PostgreSQL refuses NUL characters in a query: the filter must catch them first.
        ("compte=1%00", "compte", "Le caractère nul n\u2019est pas autorisé."),
        ("evenement=%00", "evenement", "Sélectionnez un événement de la liste."),
    ],
)
def test_a_wrong_filter_is_explained_next_to_its_field(
    query, field, message, manager, agent, page_of, field_errors, events
):
    for browser, url in ((manager, ORGANISME_HISTORY), (agent, REGION_HISTORY)):
        response = browser.get(f"{url}?{query}")

        assert response.status_code == 200
        assert field_errors(response, field) == [message]
        page = page_of(response)
        assert "Le formulaire contient des erreurs : elles sont indiquées au-dessus des champs concernés." in page.text
        assert page.rows == []
        assert "Nombre de résultats" not in page.text


# Pagination


def test_history_shows_50_events_a_page_and_keeps_the_filters_across_pages(
    manager, page_of, add_entry, secondary_account
):
    start = paris(2026, 3, 1, 8, 0)
    for minute in range(51):
        add_entry(secondary_account, at=start + timedelta(minutes=minute))
    add_entry(secondary_account, action=Action.LOGIN_FAILED, at=start)

    first = page_of(manager.get(f"{ORGANISME_HISTORY}?evenement=login_succeeded"))

    assert "Nombre de résultats : 51" in first.text
    assert "Page 1 / 2" in first.text
    assert len(first.rows) == 50
    assert first.rows[0][0] == "01/03/2026 08:50:00"
    assert not first.has_link("Page précédente")
    assert first.href("Page suivante") == "?evenement=login_succeeded&page=2"

    second = page_of(manager.get(f"{ORGANISME_HISTORY}?evenement=login_succeeded&page=2"))

    assert "Page 2 / 2" in second.text
    assert [row[0] for row in second.rows] == ["01/03/2026 08:00:00"]
    assert second.href("Page précédente") == "?evenement=login_succeeded&page=1"
    assert not second.has_link("Page suivante")


@pytest.mark.parametrize(("asked", "shown_page"), [("99", "Page 2 / 2"), ("abc", "Page 1 / 2")])
def test_a_page_number_out_of_range_shows_the_nearest_page(
    asked, shown_page, manager, page_of, add_entry, primary_account
):
    for _ in range(51):
        add_entry(primary_account)

    page = page_of(manager.get(f"{ORGANISME_HISTORY}?page={asked}"))

    assert shown_page in page.text


def test_organisme_history_reads_in_constant_queries(manager, add_entry, primary_account, secondary_account):
    add_entry(secondary_account, actor=primary_account)
    few = queries_to_read(manager, ORGANISME_HISTORY)
    for index in range(60):
        account = UserFactory(organisme=primary_account.organisme)
        add_entry(account, actor=secondary_account if index % 2 else None)

    assert queries_to_read(manager, ORGANISME_HISTORY) == few


# Espace Région > Historique


def test_region_agent_reads_every_organisme_history(
    agent, page_of, add_entry, primary_account, other_primary_account, region_agent
):
    add_entry(primary_account, at=WINTER, ip="192.0.2.1")
    add_entry(other_primary_account, at=SUMMER, actor=region_agent, action=Action.ACCOUNT_UNBLOCKED)
    add_entry(region_agent, at=SUMMER - timedelta(hours=1), ip="192.0.2.9")

    page = page_of(agent.get(REGION_HISTORY))

    assert "Accueil Espace Région Historique" in page.text
    assert page.headers == ["Date", "Événement", "Auteur", "Compte", "Organisme", "Détails", "Adresse IP"]
    assert page.rows == [
        [
            "14/07/2026 12:00:00",
            "Déblocage du compte",
            f"{region_agent.civil_name} (Agent de la Région)",
            other_primary_account.civil_name,
            "FORMATIONS DU MIDI",
            "-",
            "10.0.0.1",
        ],
        ["14/07/2026 11:00:00", "Connexion réussie", "système", region_agent.civil_name, "-", "-", "192.0.2.9"],
        [
            "05/03/2026 14:04:09",
            "Connexion réussie",
            "système",
            "Madame BLA PAU",
            "ORGANISME TEST PRF 23",
            "-",
            "192.0.2.1",
        ],
    ]


def test_region_agent_filters_by_organisme_and_by_any_account(
    agent, page_of, add_entry, primary_account, secondary_account, other_primary_account, other_organisme
):
    add_entry(primary_account)
    add_entry(secondary_account)
    add_entry(other_primary_account)

    by_organisme = page_of(agent.get(f"{REGION_HISTORY}?organisme={other_organisme.pk}"))
    by_account = page_of(agent.get(f"{REGION_HISTORY}?compte={secondary_account.pk}"))

    assert by_organisme.column("Compte") == [other_primary_account.civil_name]
    assert by_account.column("Compte") == [COLLEAGUE_NAME]


def test_region_account_filter_names_each_account_organisme(agent, primary_account, region_agent):
    markup = agent.get(REGION_HISTORY).content.decode()

    assert f'<option value="{primary_account.pk}">BLA PAU - ORGANISME TEST PRF 23</option>' in markup
    assert f'<option value="{region_agent.pk}">{region_agent.full_name} - Agent de la Région</option>' in markup


def test_export_link_carries_the_filters_but_not_the_page(agent, page_of, other_organisme):
    page = page_of(agent.get(f"{REGION_HISTORY}?organisme={other_organisme.pk}&evenement=login_failed&page=1"))

    assert page.href("Exporter en CSV") == f"{REGION_CSV}?organisme={other_organisme.pk}&evenement=login_failed"


def test_region_history_reads_in_constant_queries(agent, add_entry, primary_account, region_agent):
    add_entry(primary_account, actor=region_agent)
    few = queries_to_read(agent, REGION_HISTORY)
    few_csv = queries_to_read(agent, REGION_CSV)
    for index in range(60):
        account = UserFactory(organisme=OrganismeFactory())
        add_entry(account, actor=region_agent if index % 2 else account)

    assert queries_to_read(agent, REGION_HISTORY) == few
    assert queries_to_read(agent, REGION_CSV) == few_csv


# CSV export


def test_export_is_a_csv_file_for_excel(agent):
    response = agent.get(REGION_CSV)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="historique-sigma-{timezone.localdate():%Y%m%d}.csv"'
    )
    assert csv_rows(response) == [CSV_HEADER]


def test_export_holds_every_matching_event_in_french(
    agent, add_entry, primary_account, secondary_account, other_primary_account, region_agent
):
    add_entry(
        secondary_account,
        action=Action.ACCOUNT_MODIFIED,
        at=WINTER,
        actor=primary_account,
        changes={"last_name": ["GU", "GUY"], "first_name": ["Be", "Ben"]},
        ip="2001:db8::1",
    )
    add_entry(other_primary_account, at=SUMMER, actor=region_agent, action=Action.ACCOUNT_DEACTIVATED)
    add_entry(secondary_account, at=SUMMER, action=Action.LOGIN_FAILED, ip=None, changes={"reason": "blocked"})

    rows = csv_rows(agent.get(REGION_CSV))

    assert rows == [
        CSV_HEADER,
        [
            "14/07/2026 12:00:00",
            "Échec de connexion",
            "système",
            "système",
            COLLEAGUE_NAME,
            "ORGANISME TEST PRF 23",
            "Motif : compte bloqué",
            "",
        ],
        [
            "14/07/2026 12:00:00",
            "Désactivation du compte",
            region_agent.civil_name,
            "Agent de la Région",
            other_primary_account.civil_name,
            "FORMATIONS DU MIDI",
            "",
            "10.0.0.1",
        ],
        [
            "05/03/2026 14:04:09",
            "Modification du compte",
            "Madame BLA PAU",
            "Compte principal",
            COLLEAGUE_NAME,
            "ORGANISME TEST PRF 23",
            "Nom d’usage : GU → GUY ; Prénom : Be → Ben",
            "2001:db8::1",
        ],
    ]


def test_export_applies_the_filters_and_is_not_paginated(agent, add_entry, primary_account, other_primary_account):
    for _ in range(60):
        add_entry(primary_account)
    add_entry(other_primary_account)
    add_entry(primary_account, action=Action.LOGIN_FAILED)

    rows = csv_rows(agent.get(f"{REGION_CSV}?organisme={primary_account.organisme_id}&evenement=login_succeeded"))

    assert len(rows) == 1 + 60
    assert {(row[1], row[5]) for row in rows[1:]} == {("Connexion réussie", "ORGANISME TEST PRF 23")}


@pytest.mark.parametrize("name", ['=HYPERLINK("http://exemple.fr";"Cliquez")', "+33 FORMATION", "-1+1", "@SOMME(A1)"])
def test_export_cells_cannot_run_as_spreadsheet_formulas(name, agent, add_entry):
    add_entry(UserFactory(organisme=OrganismeFactory(raison_sociale=name)))

    rows = csv_rows(agent.get(REGION_CSV))

    assert rows[1][5] == f"'{name}"


def test_export_with_a_wrong_filter_goes_back_to_the_page_that_explains_it(agent, field_errors):
    response = agent.get(f"{REGION_CSV}?du=31/02/2026&evenement=login_failed", follow=True)

    assert response.redirect_chain == [(f"{REGION_HISTORY}?du=31%2F02%2F2026&evenement=login_failed", 302)]
    assert field_errors(response, "du") == [INVALID_DATE]


def test_changes_read_in_the_form_order_whatever_order_the_database_keeps(add_entry, secondary_account):
    entry = add_entry(
        secondary_account,
        action=Action.ACCOUNT_MODIFIED,
        changes={"email": ["a@aa.fr", "b@aa.fr"], "first_name": ["Be", "Ben"], "civilite": ["monsieur", "madame"]},
    )

    assert AuditEntry.objects.get(pk=entry.pk).details == [
        "Civilité : Monsieur → Madame",
        "Prénom : Be → Ben",
        "Courriel : a@aa.fr → b@aa.fr",
    ]
