"""Two-factor authentication: the login's second step, enrolment (forced for
Region agents and organismes that require it), Mon compte's page, and the
reset of a lost second factor. Codes are real TOTP codes computed from the
device's key, as an authenticator app computes them."""

import base64
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from audit.models import AuditEntry
from demo.management.commands.load_demo import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET
from tests.accounts.login import error_text, is_logged_in, log_in
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import (
    ENROL,
    code_of,
    enrol,
    log_in_verified,
    recovery_codes_shown,
    secret_shown,
    totp_code,
    wrong_code_of,
)

CODE_STEP = "/connexion/code/"
TWO_FACTOR = "/mon-compte/double-authentification/"
REGENERATE = "/mon-compte/double-authentification/codes-de-secours/"
DISABLE = "/mon-compte/double-authentification/desactivation/"
WRONG_CODE = "Code incorrect. Au-delà de 3 tentatives infructueuses, le compte est bloqué."


@pytest.fixture
def colleague(organisme):
    """A secondary account that turned the second factor on."""
    return UserFactory(organisme=organisme, identifiant="colleague", second_factor=True)


@pytest.fixture
def newcomer(region_agent):
    """A Region agent with no second factor yet, as after creation or a reset."""
    return UserFactory(region_agent=True, identifiant="nouvel.agent", second_factor=False)


def give_code(client, code):
    return client.post(CODE_STEP, {"code": code})


# The login's second step


def test_an_account_with_an_app_gives_its_code_after_its_password(client, colleague, page_of):
    response = log_in(client, "colleague", PASSWORD)

    assert response.status_code == 302
    assert response.url == CODE_STEP
    assert not is_logged_in(client)
    page = page_of(client.get(CODE_STEP))
    assert "Code de vérification" in page.text
    assert "double authentification" in page.text

    response = give_code(client, code_of(colleague))

    assert response.status_code == 302
    assert is_logged_in(client)
    assert AuditEntry.objects.filter(account=colleague, action=AuditEntry.Action.LOGIN_SUCCEEDED).count() == 1


def test_the_page_asked_before_login_opens_after_the_code(client, colleague):
    response = log_in(client, "colleague", PASSWORD, url="/connexion/?next=/mon-compte/modifications/")
    assert response.url == f"{CODE_STEP}?next=%2Fmon-compte%2Fmodifications%2F"

    response = client.post(response.url, {"code": code_of(colleague)})

    assert response.url == "/mon-compte/modifications/"


def test_a_wrong_code_is_refused_next_to_the_field(client, colleague, field_errors):
    log_in(client, "colleague", PASSWORD)

    response = give_code(client, wrong_code_of(colleague))

    assert response.status_code == 200
    assert field_errors(response, "code") == [WRONG_CODE]
    assert not is_logged_in(client)
    colleague.refresh_from_db()
    assert colleague.failed_login_count == 1
    assert AuditEntry.objects.filter(account=colleague, changes__reason="wrong_code").count() == 1


def test_wrong_codes_count_toward_the_same_lockout_as_wrong_passwords(client, colleague):
    log_in(client, "colleague", "Mauvais-Secret-1!")
    log_in(client, "colleague", PASSWORD)
    give_code(client, wrong_code_of(colleague))
    # A right password again does not clear the failures of the code step.
    log_in(client, "colleague", PASSWORD)
    response = give_code(client, wrong_code_of(colleague))

    colleague.refresh_from_db()
    assert colleague.is_blocked
    assert response.status_code == 302
    login_page = client.get(response.url)
    assert "Votre compte est bloqué" in login_page.content.decode()
    # Blocked: even the right password and code do not open it.
    assert "Votre compte est bloqué" in error_text(log_in(client, "colleague", PASSWORD))
    assert not is_logged_in(client)


def test_a_code_works_only_once(client, colleague):
    code = code_of(colleague)
    log_in(client, "colleague", PASSWORD)
    give_code(client, code)
    client.post("/deconnexion/")

    log_in(client, "colleague", PASSWORD)
    response = give_code(client, code)

    assert response.status_code == 200
    assert not is_logged_in(client)


def test_the_code_step_needs_the_password_first(client, colleague):
    response = give_code(client, code_of(colleague))

    assert response.status_code == 302
    assert response.url == "/connexion/"
    assert not is_logged_in(client)


def test_the_code_step_lasts_five_minutes(client, colleague, page_of):
    log_in(client, "colleague", PASSWORD)
    session = client.session
    session[two_factor.PENDING_KEY] = session[two_factor.PENDING_KEY] | {
        "at": session[two_factor.PENDING_KEY]["at"] - two_factor.PENDING_MAX_AGE_SECONDS - 1
    }
    session.save()

    response = give_code(client, code_of(colleague))

    assert response.url == "/connexion/"
    assert not is_logged_in(client)
    assert "Votre connexion n’a pas abouti à temps" in page_of(client.get("/connexion/")).text


def test_a_password_regenerated_between_the_two_steps_voids_the_first(client, colleague, browser_of, primary_account):
    log_in(client, "colleague", PASSWORD)
    browser_of(primary_account).post(f"/organisme/comptes/{colleague.pk}/regenerer/")

    give_code(client, code_of(colleague))

    assert not is_logged_in(client)


def test_a_one_time_link_asks_the_code_too(client, colleague, password_link_of):
    client.get(password_link_of(colleague))
    response = client.post("/acces/")

    assert response.url == CODE_STEP
    assert not is_logged_in(client)
    response = give_code(client, code_of(colleague))
    assert response.status_code == 302
    # Logged in with a temporary password: Mon compte > Modifications first.
    assert client.get("/").url == "/mon-compte/modifications/"


def test_a_session_of_an_account_with_an_app_that_skipped_its_code_is_logged_out(colleague):
    browser = Client()
    browser.force_login(colleague)

    response = browser.get("/")

    assert response.url == "/connexion/"
    assert not is_logged_in(browser)


# Recovery codes


def test_a_recovery_code_replaces_the_app_once(client, secondary_account):
    log_in_verified(client, secondary_account)
    _key, codes = enrol(client)
    client.post("/deconnexion/")

    assert len(codes) == 10
    assert len(set(codes)) == 10
    log_in(client, "test.identifiant", PASSWORD)
    give_code(client, codes[3].upper().replace("-", " "))
    assert is_logged_in(client)
    client.post("/deconnexion/")

    log_in(client, "test.identifiant", PASSWORD)
    give_code(client, codes[3])
    assert not is_logged_in(client)


def test_recovery_codes_are_not_stored_in_clear(client, secondary_account):
    log_in_verified(client, secondary_account)
    _key, codes = enrol(client)

    stored = set(StaticToken.objects.filter(device__user=secondary_account).values_list("token", flat=True))
    assert len(stored) == 10
    assert stored.isdisjoint({*codes, *(code.replace("-", "") for code in codes)})


def test_regenerated_recovery_codes_replace_the_former_ones(client, secondary_account):
    log_in_verified(client, secondary_account)
    key, former = enrol(client)

    response = client.post(REGENERATE, {"regenerer-code": totp_code(key, steps_from_now=1)})
    fresh = recovery_codes_shown(response)
    client.post("/deconnexion/")

    assert set(fresh).isdisjoint(former)
    log_in(client, "test.identifiant", PASSWORD)
    give_code(client, former[0])
    assert not is_logged_in(client)
    give_code(client, fresh[0])
    assert is_logged_in(client)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RECOVERY_CODES_REGENERATED).count() == 1


# Enrolment


def test_an_account_turns_the_second_factor_on_from_mon_compte(client, secondary_account, page_of):
    log_in_verified(client, secondary_account)
    mon_compte = page_of(client.get("/mon-compte/modifications/"))
    assert "La double authentification n’est pas activée" in mon_compte.text
    overview = page_of(client.get(mon_compte.href("Gérer la double authentification")))

    key, _codes = enrol(client)

    assert overview.href("Activer la double authentification") == ENROL
    assert "La double authentification est activée" in page_of(client.get("/mon-compte/modifications/")).text
    assert TOTPDevice.objects.get(user=secondary_account, confirmed=True).key == key
    assert AuditEntry.objects.filter(account=secondary_account, action=AuditEntry.Action.TWO_FACTOR_ENABLED).exists()
    client.post("/deconnexion/")
    log_in(client, "test.identifiant", PASSWORD)
    assert not is_logged_in(client)
    give_code(client, totp_code(key, steps_from_now=1))
    assert is_logged_in(client)


def test_the_enrolment_page_shows_a_qr_code_and_the_key_without_inline_script_or_style(client, secondary_account):
    log_in_verified(client, secondary_account)

    response = client.get(ENROL)
    page = response.content.decode()

    svg = re.search(r"<svg\b[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg
    assert "<title>" in svg
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page
    assert "data:" not in response.headers["Content-Security-Policy"]
    # Reloading the page keeps the key the app may already hold.
    assert secret_shown(client.get(ENROL)) == secret_shown(response)
    assert not TOTPDevice.objects.filter(user=secondary_account).exists()


def test_a_wrong_first_code_leaves_the_second_factor_off(client, secondary_account, field_errors):
    log_in_verified(client, secondary_account)
    key = secret_shown(client.get(ENROL))

    response = client.post(ENROL, {"code": totp_code(key, steps_from_now=5)})

    assert response.status_code == 200
    assert field_errors(response, "code")[0].startswith("Ce code ne correspond pas.")
    assert not two_factor.has_second_factor(secondary_account)


def test_turning_it_on_gives_a_new_session_key_and_ends_the_other_sessions(client, secondary_account, browser_of):
    other = browser_of(secondary_account)
    log_in_verified(client, secondary_account)
    before = client.session.session_key

    enrol(client)

    assert client.session.session_key != before
    assert is_logged_in(client)
    assert not is_logged_in(other)


def test_a_region_agent_without_an_app_must_enrol_right_after_login(client, newcomer, page_of):
    response = log_in(client, "nouvel.agent", PASSWORD)
    assert response.url == "/"

    for path in ["/", "/region/", "/mon-compte/modifications/", TWO_FACTOR]:
        assert client.get(path).url == ENROL, path
    assert client.get("/contacts/").status_code == 200
    page = page_of(client.get(ENROL))
    assert "La double authentification est obligatoire pour votre compte" in page.text
    assert "Annuler" not in page.text

    enrol(client)

    assert client.get("/region/").status_code == 200


def test_a_region_agent_logged_in_by_a_link_chooses_a_password_then_enrols(client, newcomer, password_link_of):
    client.get(password_link_of(newcomer))
    client.post("/acces/")
    assert client.get("/region/").url == "/mon-compte/modifications/"
    assert client.get("/mon-compte/modifications/").status_code == 200

    client.post(
        "/mon-compte/modifications/",
        {"identifiant": "nouvel.agent", "new_password": PASSWORD, "new_password_confirmation": PASSWORD},
    )

    assert client.get("/region/").url == ENROL


def test_a_region_agent_cannot_turn_the_second_factor_off(client_of, region_agent, page_of):
    client = client_of(region_agent)

    page = page_of(client.get(TWO_FACTOR))
    response = client.post(DISABLE, {"desactiver-code": code_of(region_agent)})

    assert "Obligatoire pour votre compte" in page.text
    assert "Désactiver la double authentification" not in page.text
    assert response.status_code == 200
    assert two_factor.has_second_factor(region_agent)


def test_a_primary_account_requires_the_second_factor_of_its_organisme(
    client_of, primary_account, secondary_account, page_of
):
    manager = client_of(primary_account)
    fiche = page_of(manager.get("/organisme/fiche/"))
    assert "La double authentification est facultative" in fiche.text

    response = manager.post("/organisme/fiche/double-authentification/", {"required": "1"})

    assert "est désormais obligatoire" in page_of(manager.get(response.url)).text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_REQUIREMENT_CHANGED)
    assert entry.actor == primary_account
    assert entry.details == ["Double authentification obligatoire : non → oui"]
    # Every account of the organisme enrols at its next login, the primary one included.
    colleague = Client()
    log_in(colleague, "test.identifiant", PASSWORD)
    assert colleague.get("/").url == ENROL
    manager.post("/deconnexion/")
    log_in(manager, "66bdj5zw4x", PASSWORD)
    assert manager.get("/").url == ENROL


def test_an_organisme_that_no_longer_requires_it_lets_its_accounts_in_with_their_password(
    client_of, primary_account, secondary_account
):
    manager = client_of(primary_account)
    manager.post("/organisme/fiche/double-authentification/", {"required": "1"})
    manager.post("/organisme/fiche/double-authentification/", {"required": "0"})

    colleague = Client()
    log_in(colleague, "test.identifiant", PASSWORD)

    assert colleague.get("/").status_code == 200


def test_only_the_primary_account_changes_the_requirement(client_of, secondary_account, organisme):
    response = client_of(secondary_account).post("/organisme/fiche/double-authentification/", {"required": "1"})

    organisme.refresh_from_db()
    assert response.status_code == 403
    assert not organisme.two_factor_required


# Turning it off


def test_turning_it_off_needs_a_current_code(client_of, colleague, field_errors):
    client = client_of(colleague)

    refused = client.post(DISABLE, {"desactiver-code": wrong_code_of(colleague)})
    assert field_errors(refused, "desactiver-code") == [WRONG_CODE]
    assert two_factor.has_second_factor(colleague)

    before = client.session.session_key
    response = client.post(DISABLE, {"desactiver-code": code_of(colleague)})

    assert response.url == TWO_FACTOR
    assert client.session.session_key != before
    assert not two_factor.has_second_factor(colleague)
    assert is_logged_in(client)
    client.post("/deconnexion/")
    log_in(client, "colleague", PASSWORD)
    assert is_logged_in(client)


def test_three_wrong_codes_on_mon_compte_block_the_account_and_end_the_session(client_of, colleague):
    client = client_of(colleague)
    wrong = wrong_code_of(colleague)

    for _ in range(2):
        assert client.post(REGENERATE, {"regenerer-code": wrong}).status_code == 200
    response = client.post(REGENERATE, {"regenerer-code": wrong})

    colleague.refresh_from_db()
    assert colleague.is_blocked
    assert response.url == "/connexion/"
    assert not is_logged_in(client)


# Reset by a manager (permissions: tests/organisations and tests/region)


def test_a_primary_account_resets_the_lost_second_factor_of_a_colleague(client_of, primary_account, colleague, page_of):
    colleague_browser = Client()
    log_in(colleague_browser, "colleague", PASSWORD)
    give_code(colleague_browser, code_of(colleague))
    manager = client_of(primary_account)
    comptes = page_of(manager.get("/organisme/comptes/"))
    reset_url = comptes.href(f"Réinitialiser la double authentification {colleague.full_name}")

    confirmation = page_of(manager.get(reset_url))
    response = manager.post(reset_url)

    assert "Êtes-vous sûr de vouloir réinitialiser la double authentification du compte ?" in confirmation.text
    assert response.url == "/organisme/comptes/"
    assert (
        f"La double authentification de {colleague.civil_name} a bien été réinitialisée."
        in page_of(manager.get(response.url)).text
    )
    assert not two_factor.has_second_factor(colleague)
    assert not StaticToken.objects.filter(device__user=colleague).exists()
    assert not is_logged_in(colleague_browser)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_RESET)
    assert (entry.account, entry.actor) == (colleague, primary_account)
    # Not required for this organisme: the password is enough again.
    log_in(colleague_browser, "colleague", PASSWORD)
    assert is_logged_in(colleague_browser)


def test_the_reset_is_offered_only_for_accounts_with_a_second_factor(client_of, primary_account, secondary_account):
    manager = client_of(primary_account)

    page = manager.get("/organisme/comptes/").content.decode()
    response = manager.get(f"/organisme/comptes/{secondary_account.pk}/reinitialiser-double-authentification/")

    assert "Réinitialiser la double authentification" not in page
    assert response.status_code == 302


def test_a_region_agent_reset_enrols_again_at_next_login(client, region_agent):
    call_command("reset_two_factor", "agent.region")

    log_in(client, "agent.region", PASSWORD)

    assert client.get("/region/").url == ENROL
    assert AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_RESET).actor_label == "système"


def test_the_reset_command_serves_only_region_agents(primary_account, colleague):
    with pytest.raises(CommandError):
        call_command("reset_two_factor", "colleague")
    assert two_factor.has_second_factor(colleague)


def test_demo_agent_logs_in_with_the_code_of_the_documented_secret(client, db):
    # Once: loading twice is tests/core/test_demo_data.py's.
    call_command("load_demo")

    log_in(client, "agent.region", "Demo-Sigma-2026!")
    give_code(client, totp_code(base64.b32decode(DEMO_TOTP_SECRET).hex()))
    assert client.get("/region/").status_code == 200
    client.post("/deconnexion/")
    log_in(client, "agent.region", "Demo-Sigma-2026!")
    give_code(client, DEMO_RECOVERY_CODES[0])
    assert is_logged_in(client)
