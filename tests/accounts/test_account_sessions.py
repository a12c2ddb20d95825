"""Mes sessions: an account sees where it is signed in and signs sessions
out; its manager (the organisme's primary account, the Région) sees how many
it has and ends them all. Each session is a row keyed by a digest of its key."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.middleware import SESSION_ENDED_ELSEWHERE
from accounts.models import AccountSession
from accounts.sessions import key_digest
from audit.models import AuditEntry
from tests.accounts.login import log_in

SESSIONS = "/mon-compte/sessions/"
END_OTHERS = "/mon-compte/sessions/fermeture-des-autres/"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def signed_in(identifiant, password, *, user_agent=FIREFOX_WINDOWS, ip="192.0.2.10"):
    """A browser of its own, signed in through the login page."""
    browser = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    assert log_in(browser, identifiant, password).url == "/"
    return browser


def session_of(browser):
    return AccountSession.objects.get(key_digest=key_digest(browser.cookies[settings.SESSION_COOKIE_NAME].value))


def statements(captured):
    return [query["sql"] for query in captured.captured_queries if query["sql"].split()[0] in {"SELECT", "UPDATE"}]


def lands_on_login_with_the_reason(browser, page_of):
    response = browser.get("/", follow=True)
    assert response.redirect_chain[-1] == ("/connexion/?next=/", 302)
    assert SESSION_ENDED_ELSEWHERE in page_of(response).text
    return True


@pytest.fixture
def office(transactional_db, secondary_account, password):
    return signed_in("test.identifiant", password)


@pytest.fixture
def phone(transactional_db, secondary_account, password):
    return signed_in("test.identifiant", password, user_agent=SAFARI_IPHONE, ip="2001:db8::7")


def test_an_account_sees_each_of_its_sessions_and_which_is_this_one(office, phone, page_of):
    page = page_of(office.get(SESSIONS))

    assert page.headers == ["Navigateur et système", "Adresse IP", "Connexion", "Dernière activité", "Action"]
    assert [row[0] for row in page.rows] == ["Firefox sur Windows Session en cours", "Safari sur iOS"]
    assert [row[1] for row in page.rows] == ["192.0.2.10", "2001:db8::7"]
    assert all(row[2].endswith("par mot de passe") for row in page.rows)
    assert "Fermer l’autre session" in page.text


def test_the_session_row_keeps_a_digest_never_the_key(office):
    key = office.cookies[settings.SESSION_COOKIE_NAME].value
    row = AccountSession.objects.get()

    assert row.key_digest == key_digest(key)
    assert key not in row.key_digest
    assert not AccountSession.objects.filter(key_digest=key).exists()


def test_one_session_ends_another_whose_next_request_lands_on_the_login_page(office, phone, page_of):
    phone_session = session_of(phone)

    response = office.post(f"/mon-compte/sessions/{phone_session.pk}/fermeture/", follow=True)

    assert "La session Safari sur iOS a été fermée." in page_of(response).text
    assert lands_on_login_with_the_reason(phone, page_of)
    assert office.get("/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SESSION_ENDED)
    assert entry.details == ["Connexion par\u00a0: mot de passe"]


def test_signing_out_all_other_sessions_keeps_this_one(office, phone, secondary_account, password, page_of):
    third = signed_in("test.identifiant", password, ip="192.0.2.99")

    response = office.post(END_OTHERS, follow=True)

    assert "2 autres sessions ont été fermées." in page_of(response).text
    assert lands_on_login_with_the_reason(phone, page_of)
    assert lands_on_login_with_the_reason(third, page_of)
    assert office.get("/").status_code == 200
    assert list(AccountSession.objects.values_list("key_digest", flat=True)) == [session_of(office).key_digest]
    assert AuditEntry.objects.get(action=AuditEntry.Action.SESSIONS_ENDED).changes == {"count": 2}


def test_the_current_session_is_ended_by_signing_out_not_from_the_list(office, page_of):
    own = session_of(office)

    response = office.post(f"/mon-compte/sessions/{own.pk}/fermeture/", follow=True)

    assert "Pour fermer la session en cours, utilisez «\u00a0Se déconnecter\u00a0»." in page_of(response).text
    assert office.get("/").status_code == 200


def test_no_account_ends_or_sees_a_session_of_another(office, primary_account, password, page_of):
    manager = signed_in("66bdj5zw4x", password)
    secondary_session = session_of(office)

    response = manager.post(f"/mon-compte/sessions/{secondary_session.pk}/fermeture/")

    assert response.status_code == 404
    assert office.get("/").status_code == 200
    assert [row[1] for row in page_of(manager.get(SESSIONS)).rows] == ["192.0.2.10"]
    assert len(page_of(manager.get(SESSIONS)).rows) == 1


def test_signing_out_removes_the_session_from_the_list(office, phone):
    phone.post("/deconnexion/")

    assert list(AccountSession.objects.all()) == [session_of(office)]


def test_a_password_change_keeps_this_session_and_ends_the_others(office, phone, page_of, password):
    new_password = "Garonne-Canal-2026!"
    response = office.post(
        "/mon-compte/modifications/",
        {
            "identifiant": "test.identifiant",
            "current_password": password,
            "new_password": new_password,
            "new_password_confirmation": new_password,
        },
    )

    assert response.status_code == 302
    assert office.get("/").status_code == 200
    assert [row[0] for row in page_of(office.get(SESSIONS)).rows] == ["Firefox sur Windows Session en cours"]
    assert phone.get("/").status_code == 302


@pytest.mark.parametrize(
    "action",
    [services.deactivate_account, services.delete_account, services.regenerate_password],
    ids=["deactivate", "delete", "regenerate_password"],
)
def test_sessions_ended_by_an_action_leave_the_list(office, primary_account, secondary_account, action):
    action(secondary_account, acting_account=primary_account)

    assert not AccountSession.objects.exists()
    assert office.get("/").status_code == 302


def test_a_session_signed_in_by_a_one_time_link_says_so(client_by_link, secondary_account, page_of):
    browser = client_by_link(secondary_account)

    assert session_of(browser).sign_in_method == "link"
    assert page_of(browser.get("/mon-compte/modifications/")).text


def test_last_activity_is_written_at_most_once_a_minute(office, time_machine):
    row = session_of(office)
    time_machine.move_to(row.last_activity_at, tick=False)
    time_machine.shift(30)
    with CaptureQueriesContext(connection) as within_the_minute:
        office.get(SESSIONS)
    time_machine.shift(31)
    with CaptureQueriesContext(connection) as after_it:
        office.get(SESSIONS)

    updates = [query["sql"] for query in after_it.captured_queries if "accounts_accountsession" in query["sql"]]
    assert not any("UPDATE" in query["sql"] for query in within_the_minute.captured_queries)
    assert len([sql for sql in updates if sql.startswith("UPDATE")]) == 1
    # Its row's last activity and the session's own (transaction control aside).
    assert len(statements(after_it)) == len(statements(within_the_minute)) + 2
    row.refresh_from_db()
    assert row.last_activity_at.timestamp() == pytest.approx(row.created_at.timestamp() + 61, abs=1)


# The manager's side


def test_the_primary_account_sees_how_many_sessions_each_account_has(office, phone, primary_account, password, page_of):
    manager = signed_in("66bdj5zw4x", password)

    page = page_of(manager.get("/organisme/comptes/"))

    [last_login] = page.column("Dernière connexion")
    assert last_login.endswith("2 sessions ouvertes")
    assert "Safari" not in page.text
    assert "2001:db8::7" not in page.text


def test_the_primary_account_ends_the_sessions_of_a_secondary_account(
    office, phone, primary_account, secondary_account, password, page_of
):
    manager = signed_in("66bdj5zw4x", password)
    url = page_of(manager.get("/organisme/comptes/")).href("Fermer les sessions")

    confirmation = page_of(manager.get(url))
    response = manager.post(url, follow=True)

    assert "Êtes-vous sûr de vouloir fermer toutes les sessions ouvertes du compte\u00a0?" in confirmation.text
    assert "Les sessions de Madame NOM TEST COMPTE PRENOM TEST COMPTE ont bien été fermées." in page_of(response).text
    assert lands_on_login_with_the_reason(office, page_of)
    assert lands_on_login_with_the_reason(phone, page_of)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SESSIONS_ENDED)
    assert (entry.actor_id, entry.account_id, entry.changes) == (primary_account.pk, secondary_account.pk, {"count": 2})


def test_another_organisme_cannot_end_the_sessions(office, other_primary_account, secondary_account, password):
    other_manager = signed_in("durand.fdm", password)

    response = other_manager.post(f"/organisme/comptes/{secondary_account.pk}/fermer-sessions/")

    assert response.status_code == 404
    assert office.get("/").status_code == 200


def test_a_secondary_account_cannot_end_a_colleague_s_sessions(
    office, second_secondary_account, secondary_account, password
):
    colleague = signed_in("8wwapv3bzk", password)

    response = colleague.post(f"/organisme/comptes/{secondary_account.pk}/fermer-sessions/")

    assert response.status_code == 403
    assert office.get("/").status_code == 200


def test_the_region_ends_the_sessions_of_a_primary_account(primary_account, region_agent, client_of, password, page_of):
    manager = signed_in("66bdj5zw4x", password)
    agent = client_of(region_agent)
    page = page_of(agent.get(f"/region/organismes/{primary_account.organisme_id}/"))

    assert "Sessions ouvertes\u00a0: 1 session" in page.text
    response = agent.post(f"/region/comptes/{primary_account.pk}/fermer-sessions/")

    assert response.status_code == 302
    assert lands_on_login_with_the_reason(manager, page_of)
