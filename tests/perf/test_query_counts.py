"""Query-count guards for the pages `make bench` measures (docs/benchmarks.md):
each page costs a fixed number of queries, the same with 2 rows of data as
with 20. A count, never a time: a page whose queries grow with the data is
what slows down at 10,000 organismes.

Each page is opened once before it is counted, as under load (the session
clock and the like are written on the first request only)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AccountSession, HandoverProposal
from audit.models import AuditEntry
from audit.services import record
from outbox.models import OutgoingEmail
from passkeys.models import Passkey
from tests.factories import (
    ActionFormationFactory,
    BilanFactory,
    DeclarationHeuresFactory,
    DemandeModificationFactory,
    FactureFactory,
    InscriptionFactory,
    OrganismeFactory,
    PeriodeDeclarationFactory,
    UserFactory,
)
from training import imports
from training.models import FactureEvent

LOGIN_PAGE_QUERIES = 0
# The account with its organisme and second-factor state, the audit entry,
# last_login, the session's row in Mes sessions and the new session (its INSERT
# in a savepoint), all within one transaction, the action's in a savepoint of
# it (tests/accounts/test_login_cost.py lists them).
LOGIN_QUERIES = 11
# The session and its account with its organisme (every page's two), then the
# page's own. The home page is counted with its counts worked out afresh: in a
# test's transaction its cache stands aside (tests/dashboard/test_home_cache.py).
# (+1: the primary account's demandes d'accès, proconnect/templatetags.)
HOME_QUERIES = 2 + 7 + 1
# The Région agent's home: the session, the agent and its second-factor device,
# then failed e-mails, blocked comptes principaux (count and list), overdue
# reviews, handovers (count and list), pending demandes de modification, recent activity.
REGION_HOME_QUERIES = 3 + 8
# Comptes utilisateurs: the count, the page's keys, the pending handover
# proposal, then the page's accounts and the compte principal (its own block)
# in one query.
ACCOUNT_LIST_QUERIES = 2 + 4
# The session (with whether its row in Mes sessions exists) and its account,
# then the account's open sessions.
MY_SESSIONS_QUERIES = 2 + 1
# The session and its account, then the accounts as filtered.
ACCOUNT_EXPORT_QUERIES = 2 + 1
SEARCH_QUERIES = 2 + 5
# The organisme's Recherche rapide: the session and its account, then for each
# group (actions, stagiaires with their inscriptions' BDC, comptes) its first
# matches and its count.
ORGANISME_SEARCH_QUERIES = 2 + 2 + 3 + 2
# The BDC page: the session and account, then the action, its inscriptions, periods and
# hours (from which the complete periods are counted); its bilans; its demandes de modification.
BDC_QUERIES = 2 + 4 + 1 + 1
# A bilans list: the session and account, the count, the page of inscriptions.
BILAN_LIST_QUERIES = 2 + 2
# The session and account, then the count and the page of rows (with their action and organisme).
DEMANDE_LIST_QUERIES = 2 + 2
INVOICE_LIST_QUERIES = 2 + 2
# The invoice with its action and organisme, then its history lines.
INVOICE_PAGE_QUERIES = 2 + 2
SAVE_QUERIES = 2 + 5
# The session, the account, its passkey verifying the session (OTPMiddleware),
# then the list.
PASSKEY_LIST_QUERIES = 3 + 1
# A CSV of inscriptions, read, checked and written in one transaction: its
# reads and inserts in bulk, then one versioned UPDATE per seat filled and
# nothing more per line (reading each seat's action for the dashboard once
# made it two, with one commit callback per line).
IMPORT_BASE_QUERIES = 7
IMPORT_QUERIES_PER_LINE = 1


@pytest.fixture(params=[2, 20], ids=lambda rows: f"{rows}-rows")
def rows(request):
    return request.param


def counted(django_assert_num_queries, expected, request):
    """`request()` once to warm up, then again within the count."""
    request()
    with django_assert_num_queries(expected):
        return request()


def test_the_login_page_reads_nothing(client, rows, organisme, django_assert_num_queries):
    UserFactory.create_batch(rows, organisme=organisme)

    response = counted(django_assert_num_queries, LOGIN_PAGE_QUERIES, lambda: client.get("/connexion/"))

    assert response.status_code == 200


def test_a_login_costs_the_same_queries_however_many_accounts_exist(
    rows, organisme, password, django_assert_num_queries
):
    accounts = UserFactory.create_batch(rows, organisme=organisme)

    def log_in():
        # A browser of its own each time, as each user logging in has.
        return Client().post("/connexion/", {"identifiant": accounts[-1].identifiant, "password": password})

    response = counted(django_assert_num_queries, LOGIN_QUERIES, log_in)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_home_page_costs_the_same_queries_whatever_the_pending_work(
    client_of, rows, primary_account, django_assert_num_queries
):
    for _ in range(rows):
        action = ActionFormationFactory(organisme=primary_account.organisme)
        InscriptionFactory(action=action, awaiting_entry=True)
        PeriodeDeclarationFactory(action=action)
        BilanFactory(inscription__action=action)
        FactureFactory(action=action)
        DemandeModificationFactory(action=action)
    client = client_of(primary_account)

    response = counted(django_assert_num_queries, HOME_QUERIES, lambda: client.get("/"))

    assert response.status_code == 200


def test_the_region_agents_home_costs_the_same_queries_whatever_waits(
    client_of, rows, region_agent, django_assert_num_queries
):
    for number in range(rows):
        organisme = OrganismeFactory(raison_sociale=f"ORGANISME BLOQUE {number}")
        primary = UserFactory(organisme=organisme, primary=True, blocked=True)
        colleague = UserFactory(organisme=organisme)
        HandoverProposal.objects.create(organisme=organisme, proposed_by=primary, proposed_to=colleague)
        OutgoingEmail.objects.create(
            to=colleague.email,
            account=colleague,
            template="account_created",
            subject="S",
            text_body="B",
            status=OutgoingEmail.Status.FAILED,
        )
        record(AuditEntry.Action.ACCOUNT_BLOCKED, account=primary)
    client = client_of(region_agent)

    response = counted(django_assert_num_queries, REGION_HOME_QUERIES, lambda: client.get("/"))

    assert response.status_code == 200
    assert response.context["blocked_primary_count"] == rows


@pytest.mark.parametrize("page", ["1", "2"])
def test_comptes_utilisateurs_cost_the_same_queries_on_any_page(
    client_of, rows, page, primary_account, django_assert_num_queries
):
    UserFactory.create_batch(rows, organisme=primary_account.organisme)
    client = client_of(primary_account)

    response = counted(
        django_assert_num_queries,
        ACCOUNT_LIST_QUERIES,
        lambda: client.get("/organisme/comptes/", {"page": page, "par_page": 10}),
    )

    assert response.status_code == 200
    assert response.context["page"].object_list


def test_mes_sessions_cost_the_same_queries_however_many_sessions(
    rows, secondary_account, password, django_assert_num_queries
):
    for number in range(rows):
        AccountSession.objects.create(
            account=secondary_account, key_digest=f"{number:064d}", sign_in_method="password", user_agent="Firefox/133"
        )
    client = Client()
    client.post("/connexion/", {"identifiant": secondary_account.identifiant, "password": password})

    response = counted(django_assert_num_queries, MY_SESSIONS_QUERIES, lambda: client.get("/mon-compte/sessions/"))

    assert len(response.context["rows"]) == rows + 1


def test_the_recherche_rapide_costs_the_same_queries_whatever_it_finds(
    client_of, rows, region_agent, django_assert_num_queries
):
    for number in range(rows):
        organisme = OrganismeFactory(raison_sociale=f"CENTRE DE FORMATION DE TOULOUSE {number}")
        UserFactory(organisme=organisme, primary=True, email=f"principal{number}@toulouse.fr")
        UserFactory(organisme=organisme, email=f"secondaire{number}@toulouse.fr")
    client = client_of(region_agent)

    response = counted(django_assert_num_queries, SEARCH_QUERIES, lambda: client.get("/region/", {"q": "toulouse"}))

    assert response.status_code == 200
    assert response.context["organismes"].paginator.count == rows
    assert response.context["accounts"].paginator.count == 2 * rows


def test_the_organismes_recherche_rapide_costs_the_same_queries_whatever_it_finds(
    client_of, rows, primary_account, other_organisme, django_assert_num_queries
):
    for organisme in [primary_account.organisme, other_organisme]:
        for number in range(rows):
            inscription = InscriptionFactory(
                action__organisme=organisme, action__intitule=f"Soudeur {number}", stagiaire__nom=f"SOUDÉ {number}"
            )
            InscriptionFactory(action__organisme=organisme, stagiaire=inscription.stagiaire)
            UserFactory(organisme=organisme, last_name=f"SOUDAN {number}")
    client = client_of(primary_account)

    response = counted(
        django_assert_num_queries, ORGANISME_SEARCH_QUERIES, lambda: client.get("/recherche/", {"q": "soud"})
    )

    assert response.status_code == 200
    groups = response.context["groups"]
    assert [groups[name].total for name in ("actions", "stagiaires", "comptes")] == [rows, rows, rows]


def test_the_bdc_page_costs_the_same_queries_whatever_the_inscriptions_and_hours(
    client_of, rows, primary_account, django_assert_num_queries
):
    action = ActionFormationFactory(organisme=primary_account.organisme)
    inscriptions = InscriptionFactory.create_batch(rows, action=action)
    InscriptionFactory(action=action, awaiting_entry=True)
    for month in [1, 2]:
        periode = PeriodeDeclarationFactory(action=action, mois=datetime.date(2026, month, 1))
        for inscription in inscriptions:
            DeclarationHeuresFactory(periode=periode, inscription=inscription)
    client = client_of(primary_account)

    response = counted(django_assert_num_queries, BDC_QUERIES, lambda: client.get(f"/actions/{action.pk}/"))

    assert response.status_code == 200
    assert len(response.context["trainees"]) == rows


def test_a_bilans_list_costs_the_same_queries_whatever_its_rows(
    client_of, rows, secondary_account, django_assert_num_queries
):
    action = ActionFormationFactory(organisme=secondary_account.organisme)
    for inscription in InscriptionFactory.create_batch(
        rows, action=action, date_sortie=timezone.localdate() - datetime.timedelta(days=200)
    ):
        BilanFactory(inscription=inscription, kind="satisfaction")  # half drafts, half not started
        InscriptionFactory(action=action, date_sortie=inscription.date_sortie)
    client = client_of(secondary_account)

    response = counted(
        django_assert_num_queries, BILAN_LIST_QUERIES, lambda: client.get("/actions/bilans/?type=satisfaction")
    )

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2 * rows


def modify(client, account, first_name):
    return client.post(
        f"/organisme/comptes/{account.pk}/modifier/",
        {
            "civilite": "madame",
            "last_name": "NOUVEAU",
            "first_name": first_name,
            "email": account.email,
            "version": account.version,
        },
    )


def test_saving_a_compte_secondaire_costs_the_same_queries_however_many_accounts(
    client_of, rows, primary_account, django_assert_num_queries
):
    account = UserFactory.create_batch(rows, organisme=primary_account.organisme)[-1]
    client = client_of(primary_account)
    modify(client, account, "Premier essai")
    account.refresh_from_db()

    with django_assert_num_queries(SAVE_QUERIES):
        response = modify(client, account, "Second essai")

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.first_name == "Second essai"


def inscriptions_csv(action, count):
    header = "numero_bdc;nom;prenom;date_naissance;identifiant_france_travail;date_entree;date_sortie"
    lines = [
        f"{action.numero_bdc};NOM{n};Prénom;01/02/1990;FT{n:08d};{action.date_debut:%d/%m/%Y};" for n in range(count)
    ]
    return "\n".join([header, *lines]).encode()


def test_an_import_costs_the_same_queries_per_line_and_one_dashboard_renewal(
    rows, primary_account, django_assert_num_queries, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks() as callbacks:
        action = ActionFormationFactory(
            organisme=primary_account.organisme,
            date_debut=today - datetime.timedelta(days=30),
            date_fin=today + datetime.timedelta(days=60),
            places=rows,
        )
        InscriptionFactory.create_batch(rows, action=action, awaiting_entry=True)
        with django_assert_num_queries(IMPORT_BASE_QUERIES + IMPORT_QUERIES_PER_LINE * rows):
            result = imports.import_file(
                organisme=primary_account.organisme,
                raw=inscriptions_csv(action, rows),
                acting_account=primary_account,
            )

    assert result.succeeded, result.errors
    assert result.created == rows
    # Every write of the transaction, the setup's and the import's: the home
    # page's counts are renewed once, at commit.
    assert len(callbacks) == 1


# 500 accounts take a second of their own: `make test` only.
@pytest.mark.parametrize("accounts", [2, 20, pytest.param(500, marks=pytest.mark.slow)])
def test_comptes_utilisateurs_filtered_sorted_and_exported_cost_the_same_queries(
    client_of, accounts, primary_account, django_assert_num_queries
):
    UserFactory.create_batch(accounts, organisme=primary_account.organisme, second_factor=True)
    client = client_of(primary_account)
    query = {
        "statut": "actif",
        "blocage": "debloque",
        "double_authentification": "activee",
        "tri": "-derniere_connexion",
    }

    listed = counted(django_assert_num_queries, ACCOUNT_LIST_QUERIES, lambda: client.get("/organisme/comptes/", query))
    # The export's rows come in chunks (iterator) read by the one query.
    exported = counted(
        django_assert_num_queries,
        ACCOUNT_EXPORT_QUERIES,
        lambda: b"".join(client.get("/organisme/comptes/export.csv", query).streaming_content),
    )

    assert listed.context["page"].paginator.count == accounts
    assert exported.count(b"\r\n") == accounts + 1


@pytest.mark.parametrize("actor", ["organisme", "region"])
def test_the_demande_list_costs_the_same_queries_whatever_it_lists(
    client_of, rows, actor, primary_account, region_agent, django_assert_num_queries
):
    for _ in range(rows):
        DemandeModificationFactory(action=ActionFormationFactory(organisme=primary_account.organisme))
    client = client_of(primary_account if actor == "organisme" else region_agent)

    response = counted(
        django_assert_num_queries,
        DEMANDE_LIST_QUERIES + (1 if actor == "region" else 0),  # the agent's second-factor device
        lambda: client.get("/actions/demandes/?statut=en_attente"),
    )

    assert response.context["page"].paginator.count == rows


def test_the_invoice_list_costs_the_same_queries_whatever_it_lists(
    client_of, rows, primary_account, django_assert_num_queries
):
    for _ in range(rows):
        FactureFactory(action=ActionFormationFactory(organisme=primary_account.organisme), rejected=True)
    client = client_of(primary_account)

    response = counted(
        django_assert_num_queries, INVOICE_LIST_QUERIES, lambda: client.get("/actions/factures/?statut=rejetee")
    )

    assert len(response.context["correctable"]) == rows


def test_an_invoice_page_costs_the_same_queries_whatever_its_history(
    client_of, rows, primary_account, django_assert_num_queries
):
    facture = FactureFactory(action=ActionFormationFactory(organisme=primary_account.organisme))
    for _ in range(rows):
        FactureEvent.objects.create(facture=facture, kind=FactureEvent.Kind.SUSPENDUE, by_name="Région")
    client = client_of(primary_account)

    response = counted(
        django_assert_num_queries, INVOICE_PAGE_QUERIES, lambda: client.get(f"/actions/factures/{facture.pk}/")
    )

    assert len(response.context["events"]) == rows


def test_the_passkey_list_costs_the_same_queries_however_many_passkeys(
    client_of, rows, secondary_account, django_assert_num_queries
):
    for number in range(rows):
        Passkey.objects.create(
            user=secondary_account,
            name=f"Clé {number}",
            credential_id=f"cle-{number}",
            public_key=b"-",
            user_handle=b"h",
        )
    client = client_of(secondary_account)

    response = counted(django_assert_num_queries, PASSKEY_LIST_QUERIES, lambda: client.get("/mon-compte/cles-d-acces/"))

    assert response.status_code == 200
    assert response.content.decode().count("Jamais utilisée") == rows
