"""Passkeys without a browser, on the responses Chromium's virtual
authenticator made: adding, listing, renaming, removing, signing in, and every
bad input of issue 19 (forged, replayed, another account's, wrong origin or
relying party, another session's challenge, a cloned authenticator, malformed
or oversized JSON)."""

import copy
import json
import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import two_factor
from accounts.models import User
from audit.models import AuditEntry
from passkeys.models import Passkey
from passkeys.services import CHALLENGE_MAX_AGE_SECONDS
from tests.factories import UserFactory
from tests.passkeys.recorded import (
    ADD_URL,
    CONFIRM_URL,
    OTHER,
    OWN,
    RESPONSES,
    SIGN_IN_URL,
    add,
    credential,
    expect_challenge,
    sign_in,
    signed_in_as,
)

LIST_URL = "/mon-compte/cles-d-acces/"
WRONG = "Cette clé d’accès n’a pas été reconnue."


def page_text(response):
    return response.content.decode()


def failed_logins(account):
    account.refresh_from_db()
    return account.failed_login_count


# Mon compte > Clés d'accès


def test_an_account_adds_a_named_passkey_which_its_list_shows(client_of, client, secondary_account, mailbox):
    client_of(secondary_account)
    response = add(client, "own", name="PC du bureau")
    assert response.status_code == 302
    passkey = Passkey.objects.get(user=secondary_account)
    assert (passkey.name, passkey.confirmed, passkey.transports) == ("PC du bureau", True, ["internal"])
    assert passkey.credential_id == OWN["registration"]["credential"]["id"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSKEY_ADDED)
    assert (entry.account, entry.actor, entry.changes) == (
        secondary_account,
        secondary_account,
        {"name": "PC du bureau"},
    )
    listing = page_text(client.get(LIST_URL))
    assert "PC du bureau" in listing and "Jamais utilisée" in listing
    notice = mailbox.text(mailbox.last_to(secondary_account.email))
    assert "Une clé d’accès a été ajoutée à votre compte." in notice


def test_adding_a_passkey_asks_a_recent_authentication(client_of, client, secondary_account):
    client_of(secondary_account)
    session = client.session
    session["sigma_authenticated_at"] = time.time() - 3600
    session.save()
    assert client.get(ADD_URL)["Location"].startswith("/mon-compte/confirmation/")
    assert client.post("/mon-compte/cles-d-acces/ajout/options/").status_code == 403


def test_the_registration_options_come_from_sigma_base_url_whatever_the_host(client_of, client, secondary_account):
    client_of(secondary_account)
    options = client.post("/mon-compte/cles-d-acces/ajout/options/", HTTP_HOST="localhost:8000").json()
    assert options["rp"] == {"id": "localhost", "name": "SIGMA FP"}
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["user"]["name"] == secondary_account.identifiant


def test_a_passkey_without_user_verification_is_refused(client_of, client, secondary_account):
    client_of(secondary_account)
    recorded = RESPONSES["unverified"]["unverified_registration"]
    expect_challenge(client, "registration", recorded, user_handle=OWN["user_handle"])
    response = client.post(ADD_URL, {"name": "Clé USB", "credential": credential(recorded)})
    assert response.status_code == 200
    assert "La clé d’accès n’a pas pu être vérifiée." in page_text(response)
    assert not Passkey.objects.exists()


def test_the_same_authenticator_is_not_registered_twice(client_of, client, secondary_account):
    client_of(secondary_account)
    add(client, "own")
    response = add(client, "own", name="Encore")
    assert "Cette clé d’accès est déjà enregistrée." in page_text(response)
    assert Passkey.objects.count() == 1


def test_a_passkey_name_is_required_and_said_next_to_its_field(client_of, client, secondary_account):
    client_of(secondary_account)
    expect_challenge(client, "registration", OWN["registration"], user_handle=OWN["user_handle"])
    response = client.post(ADD_URL, {"name": "  ", "credential": credential(OWN["registration"])})
    assert "Veuillez donner un nom à la clé d’accès." in page_text(response)
    assert not Passkey.objects.exists()


def test_without_javascript_the_form_says_a_passkey_needs_it(client_of, client, secondary_account):
    client_of(secondary_account)
    response = client.post(ADD_URL, {"name": "PC"})
    assert "Cette fonction nécessite JavaScript" in page_text(response)


def test_an_account_renames_and_removes_its_passkey_audited(enrol, client_of, client, secondary_account, mailbox):
    passkey = enrol(secondary_account)
    client_of(secondary_account)
    response = client.post(f"/mon-compte/cles-d-acces/{passkey.pk}/renommer/", {"name": "Téléphone"})
    assert response.status_code == 302
    passkey.refresh_from_db()
    assert passkey.name == "Téléphone"
    assert AuditEntry.objects.get(action=AuditEntry.Action.PASSKEY_RENAMED).changes == {
        "name": ["PC du bureau", "Téléphone"]
    }
    client.post(f"/mon-compte/cles-d-acces/{passkey.pk}/suppression/")
    assert not Passkey.objects.exists()
    assert AuditEntry.objects.get(action=AuditEntry.Action.PASSKEY_REMOVED).changes == {"name": "Téléphone"}
    notice = mailbox.text(mailbox.last_to(secondary_account.email))
    assert "Une clé d’accès a été retirée de votre compte." in notice


def test_another_accounts_passkey_cannot_be_renamed_or_removed(
    enrol, client_of, client, secondary_account, primary_account
):
    passkey = enrol(secondary_account)
    client_of(primary_account)
    assert client.post(f"/mon-compte/cles-d-acces/{passkey.pk}/renommer/", {"name": "Volée"}).status_code == 404
    assert client.post(f"/mon-compte/cles-d-acces/{passkey.pk}/suppression/").status_code == 404
    passkey.refresh_from_db()
    assert passkey.name == "PC du bureau"


def test_the_last_second_factor_of_a_region_agent_cannot_be_removed(enrol, client_of, client, db):
    agent = UserFactory(region_agent=True, second_factor=False)
    passkey = enrol(agent)
    client_of(agent)
    response = client.post(f"/mon-compte/cles-d-acces/{passkey.pk}/suppression/")
    assert "en est le seul moyen" in page_text(response)
    assert Passkey.objects.filter(pk=passkey.pk).exists()


# A passkey as second factor


def test_a_passkey_is_a_second_factor_and_the_password_then_asks_for_it(enrol, client, secondary_account, password):
    enrol(secondary_account)
    assert two_factor.has_second_factor(secondary_account)
    response = client.post("/connexion/", {"identifiant": secondary_account.identifiant, "password": password})
    assert response["Location"] == "/connexion/code/"
    assert signed_in_as(client) is None


def test_a_second_factor_reset_by_the_primary_account_removes_the_passkeys_audited(
    enrol, secondary_account, primary_account
):
    enrol(secondary_account)
    two_factor.reset_second_factor(secondary_account, acting_account=primary_account)
    assert not Passkey.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWO_FACTOR_RESET)
    assert (entry.actor, entry.changes) == (primary_account, {"other_factors_removed": 1})


# Signing in


def test_a_passkey_signs_in_without_identifiant_or_password_verified_by_it(enrol, client, secondary_account):
    passkey = enrol(secondary_account)
    response = sign_in(client, OWN["sign_in"])
    assert response["Location"] == "/"
    assert signed_in_as(client) == str(secondary_account.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    passkey.refresh_from_db()
    assert passkey.sign_count == 2 and passkey.last_used_at is not None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_SUCCEEDED, account=secondary_account).exists()


def test_a_temporary_password_account_signed_in_by_passkey_chooses_its_password_first(enrol, client, secondary_account):
    enrol(secondary_account)
    User.objects.filter(pk=secondary_account.pk).update(password_state=User.PasswordState.TEMPORARY)
    sign_in(client, OWN["sign_in"])
    assert client.get("/")["Location"] == "/mon-compte/modifications/"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"is_blocked": True, "failed_login_count": 3}, "Votre compte est bloqué"),
        ({"is_active": False}, "Votre compte est désactivé"),
    ],
)
def test_a_blocked_or_deactivated_accounts_passkey_is_refused(enrol, client, secondary_account, state, message):
    enrol(secondary_account)
    User.objects.filter(pk=secondary_account.pk).update(**state)
    response = sign_in(client, OWN["sign_in"])
    assert message in page_text(response)
    assert signed_in_as(client) is None


def test_a_deleted_accounts_passkey_is_refused(enrol, client, secondary_account):
    enrol(secondary_account)
    User.objects.filter(pk=secondary_account.pk).update(deleted_at="2026-01-01T00:00:00Z", is_active=False)
    response = sign_in(client, OWN["sign_in"])
    assert signed_in_as(client) is None
    assert "Votre compte est désactivé" in page_text(response)


def test_a_replayed_response_is_refused_and_counted(enrol, client, secondary_account):
    enrol(secondary_account)
    sign_in(client, OWN["sign_in"])
    client.logout()
    # The same response again, even with its challenge put back: its counter has not moved on.
    response = sign_in(client, OWN["sign_in"])
    assert WRONG in page_text(response)
    assert signed_in_as(client) is None
    assert failed_logins(secondary_account) == 1


def test_a_response_sent_twice_finds_its_challenge_used_up(enrol, client, secondary_account):
    enrol(secondary_account)
    expect_challenge(client, "sign_in", OWN["sign_in"])
    data = {"credential": credential(OWN["sign_in"])}
    client.post(SIGN_IN_URL, data)
    client.logout()
    response = client.post(SIGN_IN_URL, data)
    assert "Le délai pour utiliser votre clé d’accès est dépassé." in page_text(response)
    assert signed_in_as(client) is None


def test_a_cloned_authenticator_whose_counter_goes_backwards_is_refused(enrol, client, secondary_account):
    enrol(secondary_account)
    sign_in(client, OWN["sign_in_later"])
    client.logout()
    response = sign_in(client, OWN["sign_in"])
    assert WRONG in page_text(response)
    assert signed_in_as(client) is None
    assert failed_logins(secondary_account) == 1


def test_a_response_made_for_another_origin_is_refused_and_counted(enrol, client, secondary_account):
    enrol(secondary_account)
    response = sign_in(client, OWN["other_origin"])
    assert WRONG in page_text(response)
    assert signed_in_as(client) is None
    assert failed_logins(secondary_account) == 1


def test_a_response_made_for_another_relying_party_is_refused(enrol, client, secondary_account, settings):
    enrol(secondary_account)
    settings.SIGMA_BASE_URL = "https://sigma.example.fr"
    response = sign_in(client, OWN["sign_in"])
    assert WRONG in page_text(response)
    assert signed_in_as(client) is None


def test_the_host_header_does_not_choose_the_relying_party(enrol, client, secondary_account, settings):
    enrol(secondary_account)
    settings.ALLOWED_HOSTS = ["*"]
    settings.SIGMA_BASE_URL = "https://sigma.example.fr"
    expect_challenge(client, "sign_in", OWN["sign_in"])
    client.post(SIGN_IN_URL, {"credential": credential(OWN["sign_in"])}, HTTP_HOST="localhost:8000")
    assert signed_in_as(client) is None


def test_a_challenge_of_another_session_is_refused(enrol, client, secondary_account):
    enrol(secondary_account)
    # This session asked for its own challenge; the response signed another.
    response = sign_in(client, OWN["sign_in"], expecting=OWN["sign_in_later"])
    assert WRONG in page_text(response)
    assert failed_logins(secondary_account) == 1


def test_without_a_challenge_of_its_own_the_session_starts_again(enrol, client, secondary_account):
    enrol(secondary_account)
    response = client.post(SIGN_IN_URL, {"credential": credential(OWN["sign_in"])})
    assert "Le délai pour utiliser votre clé d’accès est dépassé." in page_text(response)
    assert failed_logins(secondary_account) == 0


def test_a_challenge_too_old_is_refused(enrol, client, secondary_account):
    enrol(secondary_account)
    expect_challenge(client, "sign_in", OWN["sign_in"], at=time.time() - CHALLENGE_MAX_AGE_SECONDS - 1)
    response = client.post(SIGN_IN_URL, {"credential": credential(OWN["sign_in"])})
    assert "Le délai pour utiliser votre clé d’accès est dépassé." in page_text(response)
    assert signed_in_as(client) is None


def test_a_registration_challenge_does_not_serve_to_sign_in(enrol, client, secondary_account):
    enrol(secondary_account)
    expect_challenge(client, "registration", OWN["sign_in"])
    response = client.post(SIGN_IN_URL, {"credential": credential(OWN["sign_in"])})
    assert "Le délai pour utiliser votre clé d’accès est dépassé." in page_text(response)


def test_a_forged_signature_is_refused_and_counted_toward_the_lockout(enrol, client, secondary_account, mailbox):
    enrol(secondary_account)
    forged = copy.deepcopy(OWN["sign_in"])
    signature = forged["credential"]["response"]["signature"]
    forged["credential"]["response"]["signature"] = ("B" if signature[10] != "B" else "C").join(
        [signature[:10], signature[11:]]
    )
    for _ in range(3):
        response = sign_in(client, forged)
    assert signed_in_as(client) is None
    secondary_account.refresh_from_db()
    assert secondary_account.is_blocked
    assert "Votre compte est bloqué" in page_text(response)


def test_a_response_naming_another_accounts_user_handle_is_refused(enrol, client, secondary_account):
    enrol(secondary_account)
    forged = copy.deepcopy(OWN["sign_in"])
    forged["credential"]["response"]["userHandle"] = OTHER["user_handle"]
    response = sign_in(client, forged)
    assert WRONG in page_text(response)
    assert signed_in_as(client) is None


def test_an_unknown_passkey_is_told_so_and_counts_against_no_account(enrol, client, secondary_account):
    enrol(secondary_account)
    response = sign_in(client, OTHER["other_sign_in"])
    assert "n’est pas (ou plus) enregistrée dans SIGMA" in page_text(response)
    assert failed_logins(secondary_account) == 0


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "{",
        "[]",
        "null",
        json.dumps({"id": 1}),
        json.dumps({"id": "x", "rawId": "%%%", "response": {}, "type": "public-key"}),
        json.dumps(
            {
                "id": "x",
                "rawId": "eA",
                "response": {"clientDataJSON": "e30", "authenticatorData": "", "signature": "", "userHandle": 5},
                "type": "public-key",
            }
        ),
    ],
)
def test_malformed_json_is_refused_in_french_never_a_500(enrol, client, secondary_account, sent):
    enrol(secondary_account)
    expect_challenge(client, "sign_in", OWN["sign_in"])
    response = client.post(SIGN_IN_URL, {"credential": sent})
    assert response.status_code == 200
    text = page_text(response)
    assert "La réponse reçue n’est pas celle d’une clé d’accès." in text or "nécessite JavaScript" in text
    assert signed_in_as(client) is None


def test_an_oversized_response_is_refused_next_to_the_form(client):
    response = client.post(SIGN_IN_URL, {"credential": "x" * 20_000})
    assert response.status_code == 200
    assert "La réponse de la clé d’accès est trop longue" in page_text(response)


def test_wrong_passkey_sign_ins_count_against_the_address_like_wrong_passwords(
    enrol, client, secondary_account, settings
):
    settings.LOGIN_FAILURES_PER_IP = 2
    for _ in range(2):
        expect_challenge(client, "sign_in", OTHER["other_sign_in"])
        client.post(SIGN_IN_URL, {"credential": credential(OTHER["other_sign_in"])})
    response = sign_in(client, OWN["sign_in"])
    assert response.status_code == 429
    assert "Trop de tentatives depuis votre adresse" in page_text(response)


# Confirming one's identity with a passkey


def test_a_passkey_confirms_a_security_change(enrol, client_of, client, secondary_account):
    enrol(secondary_account)
    client_of(secondary_account)
    session = client.session
    session["sigma_authenticated_at"] = time.time() - 3600
    session.save()
    assert "Confirmer avec une clé d’accès" in page_text(
        client.get("/mon-compte/confirmation/?next=/mon-compte/cles-d-acces/")
    )
    expect_challenge(client, "confirmation", OWN["sign_in"])
    response = client.post(f"{CONFIRM_URL}?next={LIST_URL}", {"credential": credential(OWN["sign_in"])})
    assert response["Location"] == LIST_URL
    assert client.get(ADD_URL).status_code == 200


def test_another_accounts_passkey_does_not_confirm_and_counts(
    enrol, client_of, client, secondary_account, primary_account
):
    enrol(secondary_account)
    client_of(primary_account)
    expect_challenge(client, "confirmation", OWN["sign_in"])
    response = client.post(f"{CONFIRM_URL}?next={LIST_URL}", {"credential": credential(OWN["sign_in"])})
    assert response["Location"].startswith("/mon-compte/confirmation/")
    assert failed_logins(primary_account) == 1
    assert failed_logins(secondary_account) == 0
