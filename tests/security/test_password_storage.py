"""Password storage: Argon2id at the chosen parameters, older hashes upgraded
at the next successful login, and no password or token ever kept in clear,
anywhere in the database."""

import pytest
from django.apps import apps
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, identify_hasher
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.hashers import Argon2idHasher
from accounts.models import User

pytestmark = pytest.mark.argon2

LOGIN_URL = "/connexion/"


def argon2_parameters(encoded):
    """(variety, memory, time, parallelism) of an Argon2 hash."""
    algorithm, variety, _version, parameters, _salt, _hash = encoded.split("$")
    assert algorithm == "argon2"
    values = dict(item.split("=") for item in parameters.split(","))
    return variety, int(values["m"]), int(values["t"]), int(values["p"])


CURRENT = ("argon2id", Argon2idHasher.memory_cost, Argon2idHasher.time_cost, Argon2idHasher.parallelism)


class WeakArgon2Hasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8 * 1024
    parallelism = 1


class FewIterationsPBKDF2Hasher(PBKDF2PasswordHasher):
    iterations = 1000


OLD_HASHES = {
    "weaker Argon2id": WeakArgon2Hasher(),
    "PBKDF2-SHA256": FewIterationsPBKDF2Hasher(),
}


def log_in(identifiant, password):
    client = Client()
    client.post(LOGIN_URL, {"identifiant": identifiant, "password": password})
    return "_auth_user_id" in client.session


def test_new_passwords_are_hashed_with_argon2id_at_owasp_parameters(secondary_account):
    assert argon2_parameters(User.objects.get(pk=secondary_account.pk).password) == ("argon2id", 19 * 1024, 2, 1)


@pytest.mark.parametrize("old", OLD_HASHES, ids=list(OLD_HASHES))
def test_an_old_hash_is_upgraded_at_the_next_successful_login(secondary_account, password, old):
    hasher = OLD_HASHES[old]
    User.objects.filter(pk=secondary_account.pk).update(password=hasher.encode(password, hasher.salt()))

    assert not log_in("test.identifiant", "Pas-Le-Bon-Mot-2026!")
    assert identify_hasher(User.objects.get(pk=secondary_account.pk).password).algorithm == hasher.algorithm

    assert log_in("test.identifiant", password)
    upgraded = User.objects.get(pk=secondary_account.pk).password
    assert argon2_parameters(upgraded) == CURRENT
    # And the upgraded hash lets the user in again.
    assert log_in("test.identifiant", password)


def everything_stored():
    """Every value of every row of the database, session contents included, as text."""
    rows = [str(row) for model in apps.get_models() if model is not Session for row in model.objects.all().values()]
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    return "\n".join(rows + sessions)


def test_no_password_is_stored_in_clear_after_a_login_a_failure_and_a_change(secondary_account, password):
    typed_wrong = "Tape-Par-Erreur-2026!"
    chosen = "Nouveau-Choisi-Occitanie-9!"
    assert not log_in("test.identifiant", typed_wrong)
    client = Client()
    client.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": password})
    response = client.post(
        "/mon-compte/modifications/",
        {
            "current_password": password,
            "identifiant": "test.identifiant",
            "new_password": chosen,
            "new_password_confirmation": chosen,
        },
    )
    assert response.status_code == 302
    assert log_in("test.identifiant", chosen)

    stored = everything_stored()
    for secret in (password, typed_wrong, chosen):
        assert secret not in stored


def test_an_unknown_identifiant_typed_at_login_is_not_stored_in_clear(db):
    assert not log_in("Jean.Dupont.Inconnu", "Un-Mot-De-Passe-2026!")

    stored = everything_stored().casefold()
    assert "jean.dupont.inconnu" not in stored
    assert "un-mot-de-passe-2026!" not in stored


def test_a_one_time_link_is_stored_only_as_a_digest_even_once_sent_and_opened(password_link_of, secondary_account):
    link_path = password_link_of(secondary_account)
    token = link_path.removeprefix("/acces/").removesuffix("/")
    client = Client()
    client.get(link_path)

    assert token not in everything_stored()

    client.post("/acces/")
    assert token not in everything_stored()
