"""Deactivating an account until a date (the guide's 2.5: "pour une durée plus
ou moins longue", a sick leave, a holiday): the primary account or a Region
agent gives the date on the confirmation page; the account reactivates itself
at the start of that day (Europe/Paris), its user is told by e-mail and the
trail records a "Réactivation automatique" by the system.

The clock is moved, not waited for: the service takes `today`."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts import services
from accounts.models import User
from audit.models import AuditEntry
from tests.factories import UserFactory

Action = AuditEntry.Action
COMPTES = "/organisme/comptes/"


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def deactivate_url(account, space="organisme"):
    return f"/{space}/comptes/{account.pk}/desactiver/"


@pytest.fixture
def manager(client_of, primary_account):
    return client_of(primary_account)


@pytest.fixture
def agent(browser_of, region_agent):
    return browser_of(region_agent)


@pytest.fixture
def until():
    return in_days(30)


def reload(account):
    account.refresh_from_db()
    return account


# The confirmation page


def test_deactivation_page_offers_an_optional_end_date(manager, secondary_account, page_of):
    page = page_of(manager.get(deactivate_url(secondary_account)))
    assert "Êtes-vous sûr de vouloir désactiver le compte ?" in page.text
    assert "Jusqu’au (facultatif)" in page.text
    assert 'name="until"' in manager.get(deactivate_url(secondary_account)).content.decode()


def test_deactivation_without_a_date_is_for_good(manager, secondary_account):
    manager.post(deactivate_url(secondary_account), {"until": ""})
    account = reload(secondary_account)
    assert not account.is_active
    assert account.deactivated_until is None
    assert services.reactivate_due_accounts(today=in_days(3650)) == 0
    assert not reload(secondary_account).is_active


@pytest.mark.parametrize("typed", ["french", "iso"])
def test_primary_account_deactivates_a_colleague_until_a_date(manager, secondary_account, until, page_of, typed):
    value = f"{until:%d/%m/%Y}" if typed == "french" else until.isoformat()
    response = manager.post(deactivate_url(secondary_account), {"until": value}, follow=True)
    assert response.redirect_chain == [(COMPTES, 302)]
    account = reload(secondary_account)
    assert not account.is_active
    assert account.deactivated_until == until
    page = page_of(response)
    assert f"a bien été désactivé. Il sera réactivé automatiquement le {until:%d/%m/%Y}." in page.text
    assert f"Désactivé jusqu’au {until:%d/%m/%Y}" in page.column("Statut du compte")


def test_region_agent_deactivates_a_primary_account_until_a_date(agent, primary_account, until, page_of):
    response = agent.post(deactivate_url(primary_account, "region"), {"until": f"{until:%d/%m/%Y}"}, follow=True)
    assert response.status_code == 200
    account = reload(primary_account)
    assert (account.is_active, account.deactivated_until) == (False, until)
    assert f"Désactivé jusqu’au {until:%d/%m/%Y}" in page_of(response).text


def test_region_search_shows_the_date(agent, secondary_account, until, page_of):
    services.deactivate_account(secondary_account, acting_account=None, until=until)
    page = page_of(agent.get("/region/", {"q": "test.identifiant"}))
    assert f"Désactivé jusqu’au {until:%d/%m/%Y}" in page.text


@pytest.mark.parametrize("days", [0, -1, -400])
def test_a_date_not_in_the_future_is_refused_next_to_the_field(
    manager, secondary_account, field_errors, stored_state, days
):
    before = stored_state()
    response = manager.post(deactivate_url(secondary_account), {"until": f"{in_days(days):%d/%m/%Y}"})
    assert response.status_code == 200
    assert field_errors(response, "until") == ["La date doit être postérieure à aujourd’hui."]
    assert stored_state() == before


@pytest.mark.parametrize("typed", ["31/02/2027", "demain", "2027-13-01"])
def test_an_invalid_date_is_refused_in_french(manager, secondary_account, field_errors, stored_state, typed):
    before = stored_state()
    response = manager.post(deactivate_url(secondary_account), {"until": typed})
    assert field_errors(response, "until") == ["Saisissez une date valide, au format JJ/MM/AAAA."]
    assert stored_state() == before


def test_deactivation_until_a_date_is_audited_with_the_date(manager, secondary_account, primary_account, until):
    manager.post(deactivate_url(secondary_account), {"until": f"{until:%d/%m/%Y}"})
    entry = AuditEntry.objects.get(account=secondary_account, action=Action.ACCOUNT_DEACTIVATED)
    assert entry.actor == primary_account
    assert entry.details == [f"Désactivé jusqu’au : {until:%d/%m/%Y}"]


# Permissions: the same as deactivating for good


def test_a_secondary_account_cannot_deactivate_anyone_until_a_date(
    client_of, second_secondary_account, secondary_account, until, stored_state
):
    colleague = client_of(second_secondary_account)
    before = stored_state()
    response = colleague.post(deactivate_url(secondary_account), {"until": until.isoformat()})
    assert response.status_code == 403
    assert stored_state() == before


def test_a_primary_account_cannot_deactivate_another_organisme_account(
    manager, other_secondary_account, until, stored_state
):
    before = stored_state()
    response = manager.post(deactivate_url(other_secondary_account), {"until": until.isoformat()})
    assert response.status_code == 404
    assert stored_state() == before


def test_a_primary_account_cannot_use_the_region_pages(manager, secondary_account, until, stored_state):
    before = stored_state()
    response = manager.post(deactivate_url(secondary_account, "region"), {"until": until.isoformat()})
    assert response.status_code == 403
    assert stored_state() == before


# Automatic reactivation


@pytest.fixture
def away_until(manager, secondary_account, until):
    """The colleague deactivated, through the page, until `until`."""
    manager.post(deactivate_url(secondary_account), {"until": f"{until:%d/%m/%Y}"})
    assert not reload(secondary_account).is_active
    return until


def test_account_stays_deactivated_until_its_day(away_until, secondary_account, login_succeeds, password):
    assert services.reactivate_due_accounts(today=away_until - timedelta(days=1)) == 0
    assert not reload(secondary_account).is_active
    assert not login_succeeds(secondary_account.identifiant, password)


def test_account_reactivates_itself_on_its_day(away_until, secondary_account, login_succeeds, password, mailbox):
    assert services.reactivate_due_accounts(today=away_until) == 1
    account = reload(secondary_account)
    assert (account.is_active, account.deactivated_until) == (True, None)
    assert login_succeeds(secondary_account.identifiant, password)


def test_reactivation_is_done_once_even_if_run_again(away_until, secondary_account, mailbox):
    assert services.reactivate_due_accounts(today=away_until) == 1
    assert services.reactivate_due_accounts(today=away_until) == 0
    assert services.reactivate_due_accounts(today=away_until + timedelta(days=5)) == 0
    assert AuditEntry.objects.filter(action=Action.ACCOUNT_REACTIVATED_AUTOMATICALLY).count() == 1
    assert len(mailbox.to(secondary_account.email)) == 1


def test_a_late_run_still_reactivates(away_until, secondary_account, mailbox):
    assert services.reactivate_due_accounts(today=away_until + timedelta(days=3)) == 1
    assert reload(secondary_account).is_active


def test_user_is_told_by_email(away_until, secondary_account, mailbox):
    services.reactivate_due_accounts(today=away_until)
    message = mailbox.last_to(secondary_account.email)
    assert "Réactivation de votre compte" in message["Subject"]
    text = mailbox.text(message)
    assert "Votre compte d’accès à l’application" in text
    assert f"(identifiant {secondary_account.identifiant}) a été réactivé" in text
    assert f"désactivé jusqu’au {away_until:%d/%m/%Y}" in text


def test_trail_records_an_automatic_reactivation_by_the_system(away_until, secondary_account, manager, page_of):
    services.reactivate_due_accounts(today=away_until)
    entry = AuditEntry.objects.get(account=secondary_account, action=Action.ACCOUNT_REACTIVATED_AUTOMATICALLY)
    assert entry.actor is None
    assert entry.actor_label == "système"
    assert entry.get_action_display() == "Réactivation automatique"
    page = page_of(manager.get("/organisme/historique/"))
    assert "Réactivation automatique" in page.text
    row = next(row for row in page.rows if "Réactivation automatique" in row)
    assert "système" in row


def test_list_shows_the_account_active_again(away_until, secondary_account, manager, page_of, mailbox):
    services.reactivate_due_accounts(today=away_until)
    page = page_of(manager.get(COMPTES))
    assert "Désactivé jusqu’au" not in page.text
    assert page.column("Statut du compte") == ["Actif"]


def test_activating_by_hand_clears_the_date(away_until, secondary_account, manager, mailbox):
    manager.post(f"/organisme/comptes/{secondary_account.pk}/activer/")
    assert reload(secondary_account).deactivated_until is None
    assert services.reactivate_due_accounts(today=away_until) == 0
    assert mailbox.to(secondary_account.email) == []


def test_deactivating_for_good_replaces_an_earlier_date(away_until, secondary_account, manager):
    manager.post(f"/organisme/comptes/{secondary_account.pk}/activer/")
    manager.post(deactivate_url(secondary_account), {"until": ""})
    assert services.reactivate_due_accounts(today=away_until) == 0
    assert not reload(secondary_account).is_active


def test_a_deleted_account_is_never_reactivated(away_until, secondary_account, manager):
    manager.post(f"/organisme/comptes/{secondary_account.pk}/supprimer/")
    assert services.reactivate_due_accounts(today=away_until) == 0
    assert not reload(secondary_account).is_active


def test_reactivation_keeps_a_blocked_account_blocked(away_until, secondary_account, mailbox):
    User.objects.filter(pk=secondary_account.pk).update(is_blocked=True)
    services.reactivate_due_accounts(today=away_until)
    account = reload(secondary_account)
    assert account.is_active and account.is_blocked


def test_region_agent_deactivation_reactivates_too(agent, primary_account, until, mailbox):
    agent.post(deactivate_url(primary_account, "region"), {"until": until.isoformat()})
    assert services.reactivate_due_accounts(today=until) == 1
    assert reload(primary_account).is_active
    assert mailbox.to(primary_account.email)


def test_each_account_is_reactivated_on_its_own_day(organisme, mailbox):
    first, second = UserFactory(organisme=organisme), UserFactory(organisme=organisme)
    services.deactivate_account(first, acting_account=None, until=in_days(2))
    services.deactivate_account(second, acting_account=None, until=in_days(5))
    assert services.reactivate_due_accounts(today=in_days(2)) == 1
    assert (reload(first).is_active, reload(second).is_active) == (True, False)
    assert services.reactivate_due_accounts(today=in_days(5)) == 1
    assert reload(second).is_active


def test_reactivate_accounts_command_uses_today(secondary_account, mailbox):
    services.deactivate_account(secondary_account, acting_account=None, until=in_days(1))
    # The day has come: what a day's wait would have left in the database.
    User.objects.filter(pk=secondary_account.pk).update(deactivated_until=timezone.localdate())
    call_command("reactivate_accounts", stdout=(out := io.StringIO()))
    assert "1 compte a été réactivé." in out.getvalue()
    assert reload(secondary_account).is_active
    assert mailbox.to(secondary_account.email)


def test_reactivate_accounts_command_leaves_future_dates_alone(secondary_account):
    services.deactivate_account(secondary_account, acting_account=None, until=in_days(1))
    call_command("reactivate_accounts", stdout=io.StringIO())
    assert not reload(secondary_account).is_active
