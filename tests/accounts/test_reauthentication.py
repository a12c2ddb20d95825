"""A stolen session must not guess the password nor take the account over
(issue 14, F3): wrong current passwords in Mon compte count toward the lockout
like wrong logins, and security-sensitive changes ask for a recent proof
(accounts.reauthentication): the password or a code given in the last ten
minutes, else « Confirmez votre mot de passe » first, then back to the page."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import reauthentication, two_factor
from accounts.models import User
from audit.models import AuditEntry
from tests.accounts.login import is_logged_in, log_in
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import ENROL, code_of, secret_shown, totp_code, wrong_code_of

CREDENTIALS = "/mon-compte/modifications/"
CONFIRM = "/mon-compte/confirmation/"
WRONG_PASSWORD = "Pas-Le-Bon-2026!"
NEW_PASSWORD = "Garonne-Canal-2026!"
BLOCKED = "Votre compte est bloqué suite à plusieurs tentatives de connexion infructueuses."


def logged_in_minutes_ago(client, account, minutes):
    """`client` logged in through the login page, `minutes` ago as far as the
    proof of identity goes."""
    response = log_in(client, account.identifiant, PASSWORD)
    if response.url == "/connexion/code/":
        client.post(response.url, {"code": code_of(account)})
    session = client.session
    assert "_auth_user_id" in session
    session[reauthentication.SESSION_KEY] = time.time() - minutes * 60
    session.save()
    return client


def sent_to_confirm(response, back_to):
    """Whether `response` sends the user to the confirmation page, which will send them back to `back_to`."""
    if response.status_code != 302:
        return False
    url = urlsplit(response.url)
    return url.path == CONFIRM and parse_qs(url.query)["next"] == [back_to]


def failures(account, reason):
    return AuditEntry.objects.filter(account=account, action=AuditEntry.Action.LOGIN_FAILED, changes__reason=reason)


# Wrong current passwords (Mon compte > Modifications)


def change_credentials(client, current_password):
    return client.post(
        CREDENTIALS,
        {
            "current_password": current_password,
            "identifiant": "test.identifiant",
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        },
    )


def test_three_wrong_current_passwords_block_the_account_as_three_wrong_logins_do(
    client, mailbox, primary_account, secondary_account, page_of
):
    logged_in_minutes_ago(client, secondary_account, 0)

    for _ in range(2):
        assert change_credentials(client, WRONG_PASSWORD).status_code == 200
    response = change_credentials(client, WRONG_PASSWORD)

    account = User.objects.get(pk=secondary_account.pk)
    assert (account.is_blocked, account.failed_login_count) == (True, 3)
    assert failures(account, "wrong_current_password").count() == 3
    assert AuditEntry.objects.filter(account=account, action=AuditEntry.Action.ACCOUNT_BLOCKED).count() == 1
    # The session ends there, with the login page's message; the usual notices leave.
    assert response.url == "/connexion/"
    assert BLOCKED in page_of(client.get(response.url)).text
    assert not is_logged_in(client)
    assert mailbox.to(primary_account.email)
    assert mailbox.to(secondary_account.email)
    assert not account.check_password(NEW_PASSWORD)


def test_a_right_current_password_after_two_wrong_ones_saves_and_leaves_the_account_open(client, secondary_account):
    logged_in_minutes_ago(client, secondary_account, 0)

    for _ in range(2):
        change_credentials(client, WRONG_PASSWORD)
    response = change_credentials(client, PASSWORD)

    assert response.url == CREDENTIALS
    account = User.objects.get(pk=secondary_account.pk)
    assert not account.is_blocked
    assert account.check_password(NEW_PASSWORD)
    assert failures(account, "wrong_current_password").count() == 2


# Turning the second factor on


def test_turning_the_second_factor_on_long_after_login_asks_the_password_first(client, secondary_account, page_of):
    logged_in_minutes_ago(client, secondary_account, 11)

    response = client.get(ENROL)

    assert sent_to_confirm(response, ENROL)
    page = page_of(client.get(response.url))
    assert "Confirmez votre mot de passe" in page.text
    # A code cannot stand in for it on an account that has none.
    assert 'name="code-code"' not in client.get(response.url).content.decode()
    assert not two_factor.has_second_factor(secondary_account)

    back = client.post(response.url, {"motdepasse-password": PASSWORD})

    assert back.url == ENROL
    key = secret_shown(client.get(ENROL))
    client.post(ENROL, {"code": totp_code(key)})
    assert two_factor.has_second_factor(secondary_account)


def test_right_after_login_the_second_factor_is_turned_on_without_asking_again(client, secondary_account):
    logged_in_minutes_ago(client, secondary_account, 9)

    response = client.get(ENROL)

    assert response.status_code == 200
    key = secret_shown(response)
    client.post(ENROL, {"code": totp_code(key)})
    assert two_factor.has_second_factor(secondary_account)


def test_a_stolen_session_cannot_enrol_its_own_second_factor_by_posting_directly(client, secondary_account):
    logged_in_minutes_ago(client, secondary_account, 11)

    response = client.post(ENROL, {"code": "123456"})

    assert urlsplit(response.url).path == CONFIRM
    assert not two_factor.has_second_factor(secondary_account)


# The confirmation page


def test_wrong_passwords_on_the_confirmation_page_count_toward_the_lockout(client, secondary_account, field_errors):
    logged_in_minutes_ago(client, secondary_account, 11)
    url = f"{CONFIRM}?next={ENROL}"

    refused = client.post(url, {"motdepasse-password": WRONG_PASSWORD})

    assert field_errors(refused, "motdepasse-password") == [
        "Mot de passe incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué."
    ]
    assert sent_to_confirm(client.get(ENROL), ENROL)
    client.post(url, {"motdepasse-password": WRONG_PASSWORD})
    response = client.post(url, {"motdepasse-password": WRONG_PASSWORD})

    assert response.url == "/connexion/"
    assert not is_logged_in(client)
    account = User.objects.get(pk=secondary_account.pk)
    assert account.is_blocked
    assert failures(account, "wrong_current_password").count() == 3


def test_an_account_with_a_second_factor_may_confirm_with_a_code(client, organisme, field_errors):
    account = UserFactory(organisme=organisme, identifiant="avec.application", second_factor=True)
    assert log_in(client, "avec.application", PASSWORD).status_code == 302
    client.post("/connexion/code/", {"code": code_of(account)})
    session = client.session
    session[reauthentication.SESSION_KEY] = time.time() - 11 * 60
    session.save()
    url = f"{CONFIRM}?next=/mon-compte/double-authentification/"

    refused = client.post(url, {"code-code": wrong_code_of(account)})
    assert field_errors(refused, "code-code") == [
        "Code incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué."
    ]
    assert failures(account, "wrong_code").count() == 1

    response = client.post(url, {"code-code": code_of(account, steps_from_now=1)})

    assert response.url == "/mon-compte/double-authentification/"
    assert time.time() - client.session[reauthentication.SESSION_KEY] < 60


def test_the_confirmation_page_sends_back_only_to_this_site(client, secondary_account):
    logged_in_minutes_ago(client, secondary_account, 11)

    response = client.post(f"{CONFIRM}?next=https://ailleurs.example/piege", {"motdepasse-password": PASSWORD})

    assert response.url == "/"


def test_the_confirmation_page_is_for_logged_in_users_only(client, db):
    response = client.get(CONFIRM)

    assert urlsplit(response.url).path == "/connexion/"


# A manager's security-sensitive changes


def edit(client, account, **changes):
    values = {
        "civilite": account.civilite,
        "last_name": account.last_name,
        "first_name": account.first_name,
        "email": account.email,
        "version": account.version,
    }
    return client.post(f"/organisme/comptes/{account.pk}/modifier/", values | changes)


def test_changing_a_courriel_long_after_login_asks_the_password_then_shows_the_form_as_sent(
    client, primary_account, secondary_account, page_of
):
    logged_in_minutes_ago(client, primary_account, 11)
    page_url = f"/organisme/comptes/{secondary_account.pk}/modifier/"

    response = edit(client, secondary_account, email="pirate@ailleurs.example")

    assert sent_to_confirm(response, page_url)
    assert User.objects.get(pk=secondary_account.pk).email == "aa1@aa.fr"
    back = client.post(response.url, {"motdepasse-password": PASSWORD})
    assert back.url == page_url
    form = client.get(page_url).content.decode()
    assert 'value="pirate@ailleurs.example"' in form

    saved = edit(client, secondary_account, email="nouvelle@aa.fr")

    assert saved.status_code == 302
    assert User.objects.get(pk=secondary_account.pk).email == "nouvelle@aa.fr"


def test_changing_only_a_name_long_after_login_asks_nothing(client, primary_account, secondary_account):
    logged_in_minutes_ago(client, primary_account, 11)

    response = edit(client, secondary_account, first_name="Prénom Corrigé")

    assert urlsplit(response.url).path != CONFIRM
    assert User.objects.get(pk=secondary_account.pk).first_name == "Prénom Corrigé"


@pytest.mark.parametrize("minutes", [9, 11])
def test_unblocking_an_account_needs_a_recent_proof(client, primary_account, organisme, minutes):
    blocked = UserFactory(organisme=organisme, identifiant="compte.bloque", blocked=True)
    logged_in_minutes_ago(client, primary_account, minutes)
    action_url = f"/organisme/comptes/{blocked.pk}/debloquer/"

    response = client.post(action_url)

    assert sent_to_confirm(response, action_url) == (minutes > 10)
    assert User.objects.get(pk=blocked.pk).is_blocked == (minutes > 10)


def test_the_recent_proof_lasts_ten_minutes(settings):
    assert settings.REAUTHENTICATION_MAX_AGE_SECONDS == 10 * 60


@pytest.mark.parametrize("minutes", [9, 11])
def test_lifting_the_organisme_second_factor_requirement_needs_a_recent_proof(client, primary_account, minutes):
    organisme = primary_account.organisme
    organisme.two_factor_required = True
    organisme.save(update_fields=["two_factor_required"])
    # Required for its own account too: it has an app, as it must.
    TOTPDevice.objects.create(user=primary_account, name="Téléphone", confirmed=True)
    logged_in_minutes_ago(client, primary_account, minutes)

    response = client.post("/organisme/fiche/double-authentification/", {"required": "0"})

    assert sent_to_confirm(response, "/organisme/fiche/") == (minutes > 10)
    organisme.refresh_from_db()
    assert organisme.two_factor_required == (minutes > 10)


def test_a_region_agent_hands_over_a_primary_role_only_after_a_recent_proof(client, region_agent, organisme):
    logged_in_minutes_ago(client, region_agent, 11)
    page_url = f"/region/organismes/{organisme.pk}/transfert/"

    response = client.get(page_url)

    assert sent_to_confirm(response, page_url)
    back = client.post(response.url, {"code-code": code_of(region_agent, steps_from_now=1)})
    assert back.url == page_url
    assert client.get(page_url).status_code == 200


def test_a_region_agent_made_to_enrol_long_after_login_confirms_then_enrols(client, db):
    agent = UserFactory(region_agent=True, identifiant="nouvel.agent", second_factor=False)
    logged_in_minutes_ago(client, agent, 11)

    response = client.get(ENROL)

    assert sent_to_confirm(response, ENROL)
    assert client.get(response.url).status_code == 200
    assert client.post(response.url, {"motdepasse-password": PASSWORD}).url == ENROL
    key = secret_shown(client.get(ENROL))
    client.post(ENROL, {"code": totp_code(key)})
    assert two_factor.has_second_factor(agent)
