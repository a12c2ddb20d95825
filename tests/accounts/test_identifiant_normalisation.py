"""Identifiants are compared as the unique index compares them, LOWER(identifiant),
and a race on a taken identifiant ends in a form error, never a 500 (issue 14, F7)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from accounts import services
from accounts.models import User
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.two_factor import log_in_verified

URL = "/mon-compte/modifications/"
NEW_PASSWORD = "Garonne-Canal-2026!"
TAKEN = "Cet identifiant est déjà utilisé."
# "İ" (U+0130): UPPER keeps it apart from "I", LOWER folds it into "i" on PostgreSQL.
VARIANT = "emma.martİnez.1.1"


def choose(client, identifiant, password):
    return client.post(
        URL,
        {
            "identifiant": identifiant,
            "current_password": password,
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        },
    )


def index_folds_together(first, second):
    """What the unique index says: whether the database's LOWER makes them one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT LOWER(%s) = LOWER(%s)", [first, second])
        return bool(cursor.fetchone()[0])


def test_a_unicode_case_variant_gets_the_answer_of_the_unique_index(
    client_of, field_errors, organisme, secondary_account, password
):
    UserFactory(organisme=organisme, identifiant="emma.martinez.1.1")
    folds = index_folds_together(VARIANT, "emma.martinez.1.1")
    if connection.vendor == "postgresql":
        assert folds  # the case of the finding: a 500 there before the fix

    response = choose(client_of(secondary_account), VARIANT, password)

    secondary_account.refresh_from_db()
    if folds:
        assert field_errors(response, "identifiant") == [TAKEN]
        assert secondary_account.identifiant == "test.identifiant"
    else:  # SQLite's LOWER folds ASCII only: to its index they are two identifiants
        assert response.status_code == 302
        assert secondary_account.identifiant == VARIANT


@pytest.mark.django_db(transaction=True)
def test_an_identifiant_taken_after_the_form_checked_it_is_a_form_error(organisme, secondary_account):
    UserFactory(organisme=organisme, identifiant="deja.pris")

    with pytest.raises(ValidationError) as refused:
        services.change_credentials(
            secondary_account, identifiant="DEJA.pris", password=NEW_PASSWORD, acting_account=secondary_account
        )

    assert refused.value.message_dict == {"identifiant": [TAKEN]}
    assert secondary_account.identifiant == "test.identifiant"
    assert User.objects.get(pk=secondary_account.pk).identifiant == "test.identifiant"


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel requests need a database that runs concurrent transactions (PostgreSQL); CI runs it there",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_users_choosing_the_same_identifiant_at_once_get_one_success_and_one_form_error(organisme, password):
    for round_number in range(5):
        accounts = [UserFactory(organisme=organisme, identifiant=f"r{round_number}.{n}") for n in range(2)]
        clients = [log_in_verified(Client(), account) for account in accounts]
        wanted = f"choisi.{round_number}"

        outcomes = run_at_once(
            *(lambda client=client, wanted=wanted: choose(client, wanted, password) for client in clients)
        )

        assert sorted(outcome.status_code for outcome in outcomes) == [200, 302], outcomes
        refused = next(outcome for outcome in outcomes if outcome.status_code == 200)
        assert TAKEN in refused.content.decode()
        assert User.objects.with_identifiant(wanted).count() == 1
