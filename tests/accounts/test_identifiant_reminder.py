"""Identifiant oublié: the identifiant is e-mailed to whoever can give the
account's nom d'usage, prénom and courriel."""

import re

import pytest

from tests.factories import UserFactory

URL = "/identifiant-oublie/"
SUBJECT = "SIGMA - Rappel de votre identifiant"
CONFIRMATION = "son identifiant a été envoyé à l’adresse de courriel du compte"


def details_of(account, **overrides):
    return {"last_name": account.last_name, "first_name": account.first_name, "email": account.email} | overrides


def without_csrf_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_page_asks_for_nom_prenom_and_courriel(client, page_of):
    response = client.get(URL)

    assert response.status_code == 200
    assert "Nom d’usage * Prénom * Courriel * Valider" in page_of(response).text
    page = response.content.decode()
    for name in ("last_name", "first_name", "email"):
        assert f'name="{name}"' in page
    assert 'name="identifiant"' not in page


def test_login_page_leads_to_identifiant_oublie(client):
    assert f'href="{URL}"' in client.get("/connexion/").content.decode()


def test_user_receives_their_identifiant_by_email(client, mailbox, secondary_account):
    response = client.post(URL, details_of(secondary_account))

    assert response.status_code == 200
    [message] = mailbox.to("aa1@aa.fr")
    assert message["Subject"] == SUBJECT
    assert "Identifiant : test.identifiant" in mailbox.text(message)


def test_details_match_whatever_their_case_and_spacing(client, mailbox, secondary_account):
    client.post(URL, {"last_name": "nom  test compte ", "first_name": " Prenom Test Compte", "email": "AA1@aa.FR"})

    assert [message["Subject"] for message in mailbox.to("aa1@aa.fr")] == [SUBJECT]


@pytest.mark.parametrize(
    "wrong_detail",
    [{"last_name": "AUTRE NOM"}, {"first_name": "AUTRE PRENOM"}, {"email": "aa2@aa.fr"}],
    ids=["nom d’usage", "prénom", "courriel"],
)
def test_no_email_unless_all_three_details_match(client, mailbox, secondary_account, wrong_detail):
    client.post(URL, details_of(secondary_account, **wrong_detail))

    assert mailbox.messages == []


def test_deactivated_account_gets_no_reminder(client, mailbox, organisme):
    account = UserFactory(organisme=organisme, deactivated=True)

    client.post(URL, details_of(account))

    assert mailbox.messages == []


def test_page_answers_the_same_whether_or_not_the_details_match_an_active_account(client, mailbox, page_of, organisme):
    active = UserFactory(organisme=organisme)
    deactivated = UserFactory(organisme=organisme, deactivated=True)

    match = client.post(URL, details_of(active))
    no_match = client.post(URL, details_of(active, first_name="Personne"))
    not_active = client.post(URL, details_of(deactivated))

    assert len(mailbox.messages) == 1
    assert CONFIRMATION in page_of(match).text
    assert {response.status_code for response in (match, no_match, not_active)} == {200}
    assert without_csrf_token(no_match) == without_csrf_token(match)
    assert without_csrf_token(not_active) == without_csrf_token(match)


def test_each_account_of_the_person_gets_its_own_identifiant(client, mailbox, organisme, other_organisme):
    UserFactory(organisme=organisme, identifiant="jdupont.of1", last_name="DUPONT", first_name="Jeanne", email="j@d.fr")
    UserFactory(
        organisme=other_organisme, identifiant="jdupont.of2", last_name="DUPONT", first_name="Jeanne", email="j@d.fr"
    )
    UserFactory(organisme=organisme, identifiant="pdupont", last_name="DUPONT", first_name="Pierre", email="j@d.fr")

    client.post(URL, {"last_name": "DUPONT", "first_name": "Jeanne", "email": "j@d.fr"})

    texts = [mailbox.text(message) for message in mailbox.to("j@d.fr")]
    assert len(texts) == 2
    assert any("Identifiant : jdupont.of1" in text for text in texts)
    assert any("Identifiant : jdupont.of2" in text for text in texts)
    assert not any("pdupont" in text for text in texts)


@pytest.mark.parametrize(
    ("typed", "field", "error"),
    [
        ({"email": "aa1.aa.fr"}, "email", "Saisissez une adresse de courriel valide."),
        ({"first_name": ""}, "first_name", "Ce champ est obligatoire."),
        ({"last_name": "N" * 151}, "last_name", "au plus 150 caractères"),
    ],
    ids=["invalid email", "empty prénom", "nom too long"],
)
def test_bad_input_redisplays_the_form_with_a_french_error_next_to_the_field(
    client, mailbox, field_errors, secondary_account, typed, field, error
):
    response = client.post(URL, details_of(secondary_account, **typed))

    assert response.status_code == 200
    assert any(error in message for message in field_errors(response, field))
    for other_field, value in details_of(secondary_account, **typed).items():
        if other_field != field:
            assert f'value="{value}"' in response.content.decode()
    assert mailbox.messages == []
