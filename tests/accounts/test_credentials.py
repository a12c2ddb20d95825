"""Mon compte > Modifications: the user chooses their identifiant and password
(guide, end of section 1), under the CNIL's password rules."""

import re

import pytest

from accounts.models import User
from tests.factories import UserFactory

URL = "/mon-compte/modifications/"
SAVED = "Les modifications ont bien été enregistrées"
NEW_PASSWORD = "Garonne-Canal-2026!"


def choose(client, identifiant, password, confirmation=None, **extra):
    return client.post(
        URL,
        {
            "identifiant": identifiant,
            "new_password": password,
            "new_password_confirmation": password if confirmation is None else confirmation,
        }
        | extra,
    )


def identifiant_shown(response):
    """The identifiant in the form's Identifiant field."""
    field = re.search(r'<input type="text" name="identifiant"(?: value="([^"]*)")?', response.content.decode())
    return field.group(1) or ""


@pytest.fixture
def temporary_client(client_by_link, secondary_account):
    """The new user, logged in through the one-time link with a temporary password."""
    return client_by_link(secondary_account)


def test_page_asks_a_temporary_password_user_only_for_identifiant_and_new_password(
    temporary_client, page_of, secondary_account
):
    response = temporary_client.get(URL)

    text = page_of(response).text
    assert "Vous avez été automatiquement connecté par l’application avec un mot de passe temporaire" in text
    assert "Identifiant * 64 caractères max." in text
    assert "Mot de passe *" in text
    assert "Confirmer le mot de passe *" in text
    assert "Mot de passe actuel" not in text
    markup = response.content.decode()
    assert '<button type="submit" class="button">Enregistrer</button>' in markup
    assert [name for name in re.findall(r'<input [^>]*name="(\w+)"', markup) if name != "csrfmiddlewaretoken"] == [
        "identifiant",
        "new_password",
        "new_password_confirmation",
    ]
    assert identifiant_shown(response) == secondary_account.identifiant


def test_new_user_chooses_identifiant_and_password_then_logs_in_with_them(
    temporary_client, page_of, login_succeeds, secondary_account
):
    response = choose(temporary_client, "marie.formation", NEW_PASSWORD)

    assert response.status_code == 302
    page = page_of(temporary_client.get(response.url))
    assert SAVED in page.text
    assert page.href("Retour à l’accueil") == "/"
    assert temporary_client.get("/").status_code == 200
    secondary_account.refresh_from_db()
    assert secondary_account.identifiant == "marie.formation"
    assert secondary_account.password_state == User.PasswordState.CHOSEN
    assert login_succeeds("marie.formation", NEW_PASSWORD)
    assert not login_succeeds("test.identifiant", NEW_PASSWORD)


def test_user_with_a_chosen_password_must_give_the_current_one(
    client_of, page_of, field_errors, login_succeeds, secondary_account, password
):
    client = client_of(secondary_account)
    assert "Mot de passe actuel *" in page_of(client.get(URL)).text

    response = choose(client, secondary_account.identifiant, NEW_PASSWORD)

    assert field_errors(response, "current_password") == ["Ce champ est obligatoire."]
    assert login_succeeds(secondary_account.identifiant, password)


def test_wrong_current_password_changes_nothing(client_of, field_errors, login_succeeds, secondary_account, password):
    client = client_of(secondary_account)

    response = choose(client, "nouvel.identifiant", NEW_PASSWORD, current_password="Pas-Le-Bon-2026!")

    assert field_errors(response, "current_password") == ["Le mot de passe actuel est incorrect."]
    secondary_account.refresh_from_db()
    assert secondary_account.identifiant == "test.identifiant"
    assert login_succeeds("test.identifiant", password)


def test_user_changes_password_with_the_current_one_and_the_old_one_stops_working(
    client_of, page_of, login_succeeds, secondary_account, password
):
    client = client_of(secondary_account)

    response = choose(client, secondary_account.identifiant, NEW_PASSWORD, current_password=password)

    assert SAVED in page_of(client.get(response.url)).text
    assert client.get("/").status_code == 200
    assert login_succeeds("test.identifiant", NEW_PASSWORD)
    assert not login_succeeds("test.identifiant", password)


def test_identifiant_already_used_is_refused_whatever_its_case(
    temporary_client, field_errors, organisme, secondary_account
):
    UserFactory(organisme=organisme, identifiant="autre.compte")

    response = choose(temporary_client, "AUTRE.Compte", NEW_PASSWORD)

    assert field_errors(response, "identifiant") == ["Cet identifiant est déjà utilisé."]
    secondary_account.refresh_from_db()
    assert secondary_account.password_state == User.PasswordState.TEMPORARY


def test_user_may_keep_their_own_identifiant_in_another_case(temporary_client, login_succeeds, secondary_account):
    choose(temporary_client, "Test.Identifiant", NEW_PASSWORD)

    secondary_account.refresh_from_db()
    assert secondary_account.identifiant == "Test.Identifiant"
    assert login_succeeds("test.identifiant", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("identifiant", "error"),
    [
        ("i" * 65, "Assurez-vous que cette valeur comporte au plus 64 caractères (actuellement 65)."),
        ("marie formation", "L’identifiant ne doit pas contenir d’espace."),
        ("", "Ce champ est obligatoire."),
    ],
    ids=["65 characters", "space", "empty"],
)
def test_refused_identifiant_says_why(temporary_client, field_errors, secondary_account, identifiant, error):
    response = choose(temporary_client, identifiant, NEW_PASSWORD)

    assert field_errors(response, "identifiant") == [error]
    secondary_account.refresh_from_db()
    assert secondary_account.password_state == User.PasswordState.TEMPORARY


def test_identifiant_of_64_characters_is_accepted(temporary_client, login_succeeds, secondary_account):
    choose(temporary_client, "i" * 64, NEW_PASSWORD)

    assert login_succeeds("i" * 64, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("Court-2026!", "Le mot de passe doit comporter au moins 12 caractères"),
        ("garonne-2026!", "Il manque : une majuscule."),
        ("GARONNE-2026!", "Il manque : une minuscule."),
        ("Garonne-Canal!", "Il manque : un chiffre."),
        ("Garonne2026abc", "Il manque : un caractère spécial."),
        ("N8zgt5p0shw=", "Ce mot de passe est trop courant."),
        ("ManchesterUnited", "Ce mot de passe est trop courant."),
        ("Jeanne.Formatrice1", "Le mot de passe est trop semblable au champ « identifiant »."),
        ("PrenomTestCompte1!", "Le mot de passe est trop semblable au champ « prénom »."),
        ("aa1@aa.fr-Secret", "Le mot de passe est trop semblable au champ « courriel »."),
        ("x" * 129, "Assurez-vous que cette valeur comporte au plus 128 caractères (actuellement 129)."),
    ],
    ids=[
        "11 characters",
        "no upper case",
        "no lower case",
        "no digit",
        "no special character",
        "common password",
        "common passphrase",
        "close to the identifiant typed",
        "close to the prénom",
        "close to the courriel",
        "129 characters",
    ],
)
def test_refused_password_says_which_rule_it_broke_and_keeps_the_identifiant_typed(
    temporary_client, field_errors, secondary_account, password, error
):
    response = choose(temporary_client, "jeanne.formatrice", password)

    assert response.status_code == 200
    messages = [message.replace("\xa0", " ") for message in field_errors(response, "new_password")]
    assert any(error.replace("\xa0", " ") in message for message in messages), messages
    assert identifiant_shown(response) == "jeanne.formatrice"
    secondary_account.refresh_from_db()
    assert secondary_account.identifiant == "test.identifiant"
    assert secondary_account.password_state == User.PasswordState.TEMPORARY


@pytest.mark.parametrize(
    "password",
    ["Tlse-Occ-26!", "GaronneCanal2026", "le canal du midi relie deux mers", "Garonne-Canal-2026!" + "é" * 109],
    ids=["12 characters mixed", "16-character passphrase", "phrase with spaces", "128 characters"],
)
def test_password_following_the_cnil_advice_is_accepted(temporary_client, login_succeeds, secondary_account, password):
    response = choose(temporary_client, secondary_account.identifiant, password)

    assert response.status_code == 302
    assert login_succeeds(secondary_account.identifiant, password)


def test_password_of_128_characters_is_never_truncated(temporary_client, login_succeeds, secondary_account):
    password = ("Occitanie-2026! " * 8)[:127] + "Z"
    assert len(password) == 128
    choose(temporary_client, secondary_account.identifiant, password)

    assert not login_succeeds(secondary_account.identifiant, password[:127])
    assert not login_succeeds(secondary_account.identifiant, password[:127] + "Y")
    assert login_succeeds(secondary_account.identifiant, password)


def test_password_is_kept_exactly_as_typed_spaces_included(temporary_client, login_succeeds, secondary_account):
    password = "  le canal du midi relie deux mers  "
    choose(temporary_client, secondary_account.identifiant, password)

    assert not login_succeeds(secondary_account.identifiant, password.strip())
    assert login_succeeds(secondary_account.identifiant, password)


def test_mismatched_confirmation_is_refused(temporary_client, field_errors, secondary_account):
    response = choose(temporary_client, "jeanne.formatrice", NEW_PASSWORD, confirmation="Garonne-Canal-2027!")

    assert field_errors(response, "new_password_confirmation") == ["Les deux mots de passe ne sont pas identiques."]
    assert identifiant_shown(response) == "jeanne.formatrice"
    secondary_account.refresh_from_db()
    assert secondary_account.password_state == User.PasswordState.TEMPORARY


def test_saving_is_needed_before_leaving_the_page(temporary_client, secondary_account):
    assert temporary_client.get("/").url == URL

    choose(temporary_client, secondary_account.identifiant, NEW_PASSWORD)

    assert temporary_client.get("/").status_code == 200
