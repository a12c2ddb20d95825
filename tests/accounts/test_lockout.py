"""Blocage du compte: "au-delà de 3 tentatives le compte est bloqué"."""

import hashlib
import re
import threading

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from accounts.models import UnknownIdentifiantAttempts, User
from audit.models import AuditEntry
from tests.accounts.login import error_text, is_logged_in, log_in

WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"
INCORRECT = "Identifiant ou mot de passe incorrect"
BLOCKED = "Votre compte est bloqué"


def reloaded(account):
    return User.objects.get(pk=account.pk)


def test_three_wrong_passwords_block_the_account(client, secondary_account, password):
    messages = [error_text(log_in(client, "test.identifiant", WRONG_PASSWORD)) for _ in range(3)]

    assert INCORRECT in messages[0]
    assert INCORRECT in messages[1]
    assert BLOCKED in messages[2]
    account = reloaded(secondary_account)
    assert account.is_blocked
    assert account.failed_login_count == 3


def test_blocked_account_refuses_even_the_right_password(client, secondary_account, password):
    for _ in range(3):
        log_in(client, "test.identifiant", WRONG_PASSWORD)

    response = log_in(client, "test.identifiant", password)

    assert response.status_code == 200
    message = error_text(response)
    assert BLOCKED in message
    assert "demandez son déblocage au gestionnaire de votre compte" in message
    assert not is_logged_in(client)


def test_attempts_on_a_blocked_account_do_not_count_further(client, secondary_account, password):
    for _ in range(5):
        log_in(client, "test.identifiant", WRONG_PASSWORD)
    log_in(client, "test.identifiant", password)

    account = reloaded(secondary_account)
    assert account.is_blocked
    assert account.failed_login_count == 3
    assert AuditEntry.objects.filter(account=account, action="account_blocked").count() == 1


def test_two_wrong_passwords_do_not_block(client, secondary_account, password):
    for _ in range(2):
        log_in(client, "test.identifiant", WRONG_PASSWORD)

    assert reloaded(secondary_account).failed_login_count == 2
    assert log_in(client, "test.identifiant", password).url == "/"
    assert is_logged_in(client)


def test_a_successful_login_starts_the_count_again(client, secondary_account, password):
    for _ in range(2):
        log_in(client, "test.identifiant", WRONG_PASSWORD)
    assert log_in(client, "test.identifiant", password).url == "/"
    client.post("/deconnexion/")
    for _ in range(2):
        assert INCORRECT in error_text(log_in(client, "test.identifiant", WRONG_PASSWORD))

    account = reloaded(secondary_account)
    assert not account.is_blocked
    assert account.failed_login_count == 2
    assert log_in(client, "test.identifiant", password).url == "/"


def test_failures_count_whatever_the_case_of_the_identifiant(client, secondary_account):
    for typed in ["test.identifiant", "TEST.IDENTIFIANT", "Test.Identifiant"]:
        log_in(client, typed, WRONG_PASSWORD)

    assert reloaded(secondary_account).is_blocked


def test_unblocked_account_can_log_in_again(client, client_of, primary_account, secondary_account, password):
    visitor = Client()
    for _ in range(3):
        log_in(visitor, "test.identifiant", WRONG_PASSWORD)

    manager = client_of(primary_account)
    response = manager.post(f"/organisme/comptes/{secondary_account.pk}/debloquer/")
    assert response.status_code == 302

    assert log_in(visitor, "test.identifiant", password).url == "/"
    assert reloaded(secondary_account).failed_login_count == 0


def test_unknown_identifiant_gets_exactly_the_same_answers_as_an_existing_one(secondary_account):
    existing, unknown = Client(), Client()
    # Varying case, as a user may: both kinds of identifiant ignore it.
    cases = [str.lower, str.upper, str.lower, str.title, str.lower]

    for attempt, case in enumerate(cases, start=1):
        real, fake = case("test.identifiant"), case("personne.inconnue")
        real_answer = log_in(existing, real, WRONG_PASSWORD)
        fake_answer = log_in(unknown, fake, WRONG_PASSWORD)

        assert real_answer.status_code == fake_answer.status_code == 200
        assert error_text(real_answer) == error_text(fake_answer), f"attempt {attempt}"
        assert (INCORRECT if attempt < 3 else BLOCKED) in error_text(fake_answer), f"attempt {attempt}"


def test_identifiants_typed_in_the_login_form_are_not_stored_in_clear(client, db):
    typed = "Jeanne.Martin@exemple.fr"
    for _ in range(4):
        log_in(client, typed, WRONG_PASSWORD)

    (attempts,) = UnknownIdentifiantAttempts.objects.all()
    assert attempts.failed_count == 3
    assert re.fullmatch(r"[0-9a-f]{64}", attempts.identifiant_digest)
    # Keyed (an HMAC), not a plain hash anyone could recompute from a list of names.
    for candidate in (typed, typed.lower(), typed.casefold()):
        assert attempts.identifiant_digest != hashlib.sha256(candidate.encode()).hexdigest()
    # Neither the identifiant nor the password is anywhere in the database.
    for model in apps.get_models():
        for row in model.objects.values():
            stored = " ".join(str(value) for value in row.values()).casefold()
            assert typed.casefold() not in stored, model.__name__
            assert WRONG_PASSWORD.casefold() not in stored, model.__name__


# Parallel attempts. Only PostgreSQL runs requests truly in parallel against one
# row; CI runs the suite on it too.


def _parallel_wrong_attempts(identifiant, count):
    """Fire `count` wrong logins at once, each from its own browser; return the error messages."""
    barrier = threading.Barrier(count)
    messages, errors = [None] * count, []

    def attempt(index):
        try:
            client = Client()
            barrier.wait(timeout=10)
            messages[index] = error_text(log_in(client, identifiant, WRONG_PASSWORD))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return messages


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel logins need a database that runs concurrent transactions (PostgreSQL); CI runs it there",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_all_count_and_block_once(secondary_account):
    _parallel_wrong_attempts("test.identifiant", 2)
    account = reloaded(secondary_account)
    assert account.failed_login_count == 2
    assert not account.is_blocked

    messages = _parallel_wrong_attempts("test.identifiant", 5)

    account = reloaded(secondary_account)
    assert account.is_blocked
    assert account.failed_login_count == 3
    assert AuditEntry.objects.filter(account=account, action="account_blocked").count() == 1
    assert all(BLOCKED in message for message in messages)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_get_the_same_answers_for_unknown_and_existing_identifiants(secondary_account):
    def answers(identifiant):
        return sorted(_parallel_wrong_attempts(identifiant, 5))

    assert answers("personne.inconnue") == answers("test.identifiant")
