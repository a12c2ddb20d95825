"""Génération de mot de passe: the page the first e-mail leads to, which sends
the second e-mail with a one-time link (guide, section 1)."""

import re

import pytest
from django.test import Client

from accounts.models import PasswordLink
from tests.factories import UserFactory

URL = "/generation-mot-de-passe/"
SUBJECT = "SIGMA - Demande de réinitialisation de votre compte d’accès à l’application SIGMA"
CONFIRMATION = "un courrier de demande de réinitialisation de mot de passe a été envoyé"


def details_of(account, **overrides):
    """What the user types on the page: the four details of the first e-mail."""
    return {
        "identifiant": account.identifiant,
        "last_name": account.last_name,
        "first_name": account.first_name,
        "email": account.email,
    } | overrides


def without_csrf_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_page_asks_for_identifiant_nom_prenom_and_courriel(client, page_of):
    response = client.get(URL)

    assert response.status_code == 200
    assert "Identifiant * Nom d’usage * Prénom * Courriel * Valider" in page_of(response).text
    page = response.content.decode()
    for name in ("identifiant", "last_name", "first_name", "email"):
        assert f'name="{name}"' in page


def test_new_user_gets_the_one_time_link_by_email_after_typing_the_details_of_the_first_email(
    client, mailbox, secondary_account
):
    response = client.post(URL, details_of(secondary_account))

    assert response.status_code == 200
    assert CONFIRMATION in response.content.decode()
    received = mailbox.to("aa1@aa.fr")
    assert [message["Subject"] for message in received] == [SUBJECT]
    assert any("/acces/" in link for link in mailbox.links(received[0]))
    assert PasswordLink.objects.filter(user=secondary_account).count() == 1


def test_names_match_whatever_their_case_and_spacing_and_identifiant_and_email_whatever_their_case(
    client, mailbox, secondary_account
):
    client.post(
        URL,
        {
            "identifiant": "  TEST.Identifiant ",
            "last_name": " nom   test  compte ",
            "first_name": "Prenom Test\tCompte",
            "email": " AA1@AA.FR ",
        },
    )

    assert [message["Subject"] for message in mailbox.to("aa1@aa.fr")] == [SUBJECT]


@pytest.mark.parametrize(
    "wrong_detail",
    [
        {"identifiant": "autre.identifiant"},
        {"last_name": "NOM TEST"},
        {"first_name": "PRENOM"},
        {"email": "aa2@aa.fr"},
    ],
    ids=["identifiant", "nom d’usage", "prénom", "courriel"],
)
def test_no_email_unless_all_four_details_match(client, mailbox, secondary_account, wrong_detail):
    response = client.post(URL, details_of(secondary_account, **wrong_detail))

    assert CONFIRMATION in response.content.decode()
    assert mailbox.messages == []
    assert not PasswordLink.objects.exists()


def test_deactivated_account_gets_no_email(client, mailbox, organisme):
    account = UserFactory(organisme=organisme, deactivated=True)

    client.post(URL, details_of(account))

    assert mailbox.messages == []
    assert not PasswordLink.objects.exists()


def test_blocked_account_gets_the_email(client, mailbox, organisme):
    account = UserFactory(organisme=organisme, blocked=True)

    client.post(URL, details_of(account))

    assert [message["Subject"] for message in mailbox.to(account.email)] == [SUBJECT]


def test_page_answers_the_same_whether_or_not_the_details_match_an_active_account(client, mailbox, organisme):
    active = UserFactory(organisme=organisme)
    deactivated = UserFactory(organisme=organisme, deactivated=True)

    match = client.post(URL, details_of(active))
    no_match = client.post(URL, details_of(active, email="quelquun@ailleurs.fr"))
    unknown = client.post(URL, details_of(active, identifiant="personne"))
    not_active = client.post(URL, details_of(deactivated))

    assert len(mailbox.messages) == 1
    assert {response.status_code for response in (match, no_match, unknown, not_active)} == {200}
    assert without_csrf_token(no_match) == without_csrf_token(match)
    assert without_csrf_token(unknown) == without_csrf_token(match)
    assert without_csrf_token(not_active) == without_csrf_token(match)


@pytest.mark.parametrize(
    ("typed", "field", "error"),
    [
        ({"email": "aa1-at-aa.fr"}, "email", "Saisissez une adresse de courriel valide."),
        ({"last_name": ""}, "last_name", "Ce champ est obligatoire."),
        ({"identifiant": "   "}, "identifiant", "Ce champ est obligatoire."),
        ({"identifiant": "x" * 65}, "identifiant", "au plus 64 caractères"),
        ({"first_name": "PRENOM\x00"}, "first_name", "Le caractère nul n\u2019est pas autorisé."),
    ],
    ids=["invalid email", "empty nom", "blank identifiant", "identifiant too long", "null character"],
)
def test_bad_input_redisplays_the_form_with_the_typed_details_and_a_french_error_next_to_the_field(
    client, mailbox, field_errors, secondary_account, typed, field, error
):
    response = client.post(URL, details_of(secondary_account, **typed))

    assert response.status_code == 200
    assert CONFIRMATION not in response.content.decode()
    assert any(error in message for message in field_errors(response, field)), field_errors(response, field)
    for other_field, value in details_of(secondary_account).items():
        if other_field != field:
            assert f'value="{value}"' in response.content.decode()
    assert mailbox.messages == []


def test_all_fields_empty_are_each_reported(client, field_errors, db):
    response = client.post(URL, {"identifiant": "", "last_name": "", "first_name": "", "email": ""})

    assert response.status_code == 200
    for field in ("identifiant", "last_name", "first_name", "email"):
        assert field_errors(response, field) == ["Ce champ est obligatoire."]


def test_asking_again_sends_a_new_link_and_kills_the_previous_one(client, mailbox, secondary_account):
    client.post(URL, details_of(secondary_account))
    (first_email,) = mailbox.to("aa1@aa.fr")
    first_digest = PasswordLink.objects.get(user=secondary_account).token_digest

    client.post(URL, details_of(secondary_account))

    assert len(mailbox.to("aa1@aa.fr")) == 2
    assert PasswordLink.objects.get(user=secondary_account).token_digest != first_digest
    (first_link,) = [link for link in mailbox.links(first_email) if "/acces/" in link]
    assert "Ce lien n’est plus valable" in Client().get(first_link, follow=True).content.decode()


def test_asking_for_a_link_does_not_change_the_current_password(client, mailbox, secondary_account, password):
    client.post(URL, details_of(secondary_account))

    secondary_account.refresh_from_db()
    assert secondary_account.check_password(password)
    assert secondary_account.password_state == "chosen"
