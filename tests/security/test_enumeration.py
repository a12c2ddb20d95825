"""Account enumeration: the login, Génération de mot de passe and Identifiant
oublié pages answer exactly alike whether or not what was typed matches an
account: same status, same page once the CSRF token and the typed values are
set aside, same cookie names."""

import html
import re

import pytest
from django.test import Client

from tests.factories import UserFactory

LOGIN_URL = "/connexion/"
GENERATION_URL = "/generation-mot-de-passe/"
REMINDER_URL = "/identifiant-oublie/"
WRONG_PASSWORD = "Mauvais-Secret-2026!"


def answer(response, *typed):
    """What tells one answer from another: its status, its page without the
    CSRF token nor the values the visitor typed, and the cookies it sets."""
    page = response.content.decode()
    page = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', page)
    for value in typed:
        page = page.replace(html.escape(value), "«typed»")
    return response.status_code, page, sorted(response.cookies.keys())


def login_answers(identifiant, passwords):
    """Each answer of the login page to `identifiant` with each password in turn,
    each from a fresh browser (the per-account count is what carries over)."""
    return [
        answer(Client().post(LOGIN_URL, {"identifiant": identifiant, "password": password}), identifiant)
        for password in passwords
    ]


@pytest.mark.parametrize(
    "known",
    ["test.identifiant", "TEST.IDENTIFIANT", " test.identifiant "],
    ids=["as created", "upper-cased", "with spaces"],
)
def test_login_answers_a_known_identifiant_as_an_unknown_one_up_to_and_after_the_block(
    secondary_account, password, known
):
    """Three wrong passwords, then the right one (refused: blocked), then any."""
    known_answers = login_answers(known, [WRONG_PASSWORD] * 3 + [password, WRONG_PASSWORD])
    unknown_answers = login_answers("personne.inconnue", [WRONG_PASSWORD] * 3 + [password, WRONG_PASSWORD])

    assert known_answers == unknown_answers
    # Sanity: the answers did change along the way (the third blocks).
    assert known_answers[0] != known_answers[2]


def test_login_answers_a_deactivated_account_with_a_wrong_password_as_an_unknown_identifiant(db, password):
    UserFactory(identifiant="compte.desactive", deactivated=True)

    assert login_answers("compte.desactive", [WRONG_PASSWORD]) == login_answers("inconnu.total", [WRONG_PASSWORD])


def test_login_answers_a_region_agent_as_an_unknown_identifiant(region_agent):
    assert login_answers("agent.region", [WRONG_PASSWORD] * 4) == login_answers("agent.inconnu", [WRONG_PASSWORD] * 4)


def test_login_sets_the_same_cookies_for_known_and_unknown_identifiants_on_the_first_visit(secondary_account):
    known, unknown = Client(), Client()
    known.get(LOGIN_URL)
    unknown.get(LOGIN_URL)
    first_known = known.post(LOGIN_URL, {"identifiant": "test.identifiant", "password": WRONG_PASSWORD})
    first_unknown = unknown.post(LOGIN_URL, {"identifiant": "nobody.here", "password": WRONG_PASSWORD})

    assert sorted(first_known.cookies) == sorted(first_unknown.cookies)
    assert sorted(known.cookies) == sorted(unknown.cookies)


def generation(identifiant, last_name, first_name, email):
    data = {"identifiant": identifiant, "last_name": last_name, "first_name": first_name, "email": email}
    return answer(Client().post(GENERATION_URL, data), *data.values())


def test_password_generation_answers_a_matching_account_as_no_account(mailbox, secondary_account):
    account = secondary_account
    matching = generation(account.identifiant, account.last_name, account.first_name, account.email)
    unknown = generation("personne.inconnue", "INCONNU", "Personne", "personne@inconnue.fr")
    wrong_email = generation(account.identifiant, account.last_name, account.first_name, "autre@exemple.fr")
    wrong_name = generation(account.identifiant, "AUTRE", account.first_name, account.email)

    assert matching == unknown == wrong_email == wrong_name
    assert matching[0] == 200
    # The matching request did send the link: only the mailbox's owner learns anything.
    assert len(mailbox.to(account.email)) == 1
    assert not mailbox.to("personne@inconnue.fr")
    assert not mailbox.to("autre@exemple.fr")


def test_password_generation_answers_a_deactivated_account_as_no_account(mailbox, db):
    account = UserFactory(identifiant="compte.desactive", deactivated=True)

    deactivated = generation(account.identifiant, account.last_name, account.first_name, account.email)
    unknown = generation("compte.inexistant", account.last_name, account.first_name, account.email)

    assert deactivated == unknown
    assert not mailbox.to(account.email)


def reminder(last_name, first_name, email):
    data = {"last_name": last_name, "first_name": first_name, "email": email}
    return answer(Client().post(REMINDER_URL, data), *data.values())


def test_identifiant_reminder_answers_a_matching_account_as_no_account(mailbox, secondary_account):
    account = secondary_account
    matching = reminder(account.last_name, account.first_name, account.email)
    unknown = reminder("INCONNU", "Personne", "personne@inconnue.fr")
    wrong_name = reminder("AUTRE", account.first_name, account.email)

    assert matching == unknown == wrong_name
    assert matching[0] == 200
    assert len(mailbox.to(account.email)) == 1


def test_invalid_forms_answer_alike_for_known_and_unknown_identifiants(secondary_account):
    """A form error (bad e-mail address) must not depend on the identifiant either."""
    known = generation(secondary_account.identifiant, "NOM", "Prénom", "pas-une-adresse")
    unknown = generation("personne.inconnue", "NOM", "Prénom", "pas-une-adresse")

    assert known == unknown
    assert known[0] == 200
