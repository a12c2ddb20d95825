"""Names and free text refuse control and bidirectional characters, with a
French error next to the field or naming the import's line and column; the
values stored before the rule are cleaned by migrations (issue 14, F6)."""

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from core.text import without_invisible_characters
from organisations.models import Organisme
from tests.factories import ActionFormationFactory, InscriptionFactory, OrganismeFactory, UserFactory
from training.models import ActionFormation, Stagiaire

# A header injection, a right-to-left override, an isolate, a C1 control and a bell.
HOSTILE = {
    "crlf": ("RICHARD\r\nBcc: pirate@exemple.fr", "U+000D, U+000A"),
    "override": ("RICHARD\u202e", "U+202E"),
    "isolate": ("\u2066RICHARD\u2069", "U+2066, U+2069"),
    "c1": ("RICH\x85ARD", "U+0085"),
    "bell": ("RI\x07CHARD", "U+0007"),
}


def error_for(codes):
    return f"Ce texte contient un caractère invisible ou de contrôle ({codes}) : retirez-le."


@pytest.fixture(params=sorted(HOSTILE))
def hostile(request):
    return HOSTILE[request.param]


def test_a_manager_cannot_give_an_account_such_a_name(client_of, primary_account, field_errors, hostile):
    value, codes = hostile
    response = client_of(primary_account).post(
        "/organisme/comptes/nouveau/",
        {"civilite": "madame", "last_name": value, "first_name": "Léa", "email": "lea@exemple.fr"},
    )

    assert field_errors(response, "last_name") == [error_for(codes)]
    assert not User.objects.filter(email="lea@exemple.fr").exists()


def test_the_region_cannot_create_an_organisme_with_such_names(client_of, region_agent, field_errors):
    response = client_of(region_agent).post(
        "/region/organismes/nouveau/",
        {
            "raison_sociale": "ÉCOLE\u202e DU SUD",
            "enseigne": "",
            "siret": "73282932000074",
            "civilite": "monsieur",
            "last_name": "GARCIA",
            "first_name": "Luis\u200f",
            "email": "garcia@exemple.fr",
        },
    )

    assert field_errors(response, "raison_sociale") == [error_for("U+202E")]
    assert field_errors(response, "first_name") == [error_for("U+200F")]
    assert not Organisme.objects.filter(siret="73282932000074").exists()


def test_the_region_cannot_create_an_action_with_such_a_title(client_of, region_agent, organisme, field_errors):
    response = client_of(region_agent).post(
        f"/region/organismes/{organisme.pk}/actions/nouvelle/",
        {
            "numero_bdc": "BDC-NOUVEAU",
            "intitule": "Secrétariat\x1b[2J",
            "programme": "qualif_pro",
            "lieu": "Albi",
            "date_debut": "01/09/2026",
            "date_fin": "30/06/2027",
            "places": 10,
            "heures_prevues": 300,
        },
    )

    assert field_errors(response, "intitule") == [error_for("U+001B")]
    assert not ActionFormation.objects.filter(numero_bdc="BDC-NOUVEAU").exists()


def test_an_identifiant_cannot_hold_an_override(client_of, secondary_account, password, field_errors):
    response = client_of(secondary_account).post(
        "/mon-compte/modifications/",
        {
            "identifiant": "marie\u202e.formation",
            "current_password": password,
            "new_password": "Garonne-Canal-2026!",
            "new_password_confirmation": "Garonne-Canal-2026!",
        },
    )

    assert field_errors(response, "identifiant") == [error_for("U+202E")]


def test_an_organisme_cannot_enter_a_trainee_with_such_a_name(client_of, secondary_account, organisme, field_errors):
    action = ActionFormationFactory(organisme=organisme)
    seat = InscriptionFactory(action=action, awaiting_entry=True)

    response = client_of(secondary_account).post(
        f"/actions/{action.pk}/inscriptions/{seat.pk}/",
        {
            "nom": "DUPONT",
            "prenom": "Hélène\u061c",
            "date_naissance": "14/03/1990",
            "identifiant_france_travail": "1234567A",
            "date_entree": action.date_debut.strftime("%d/%m/%Y"),
            "date_sortie": "",
            "version": seat.version,
        },
    )

    assert field_errors(response, "prenom") == [error_for("U+061C")]
    assert not Stagiaire.objects.exists()


def test_an_import_names_the_line_and_column_of_such_a_name(client_of, primary_account, organisme, page_of):
    action = ActionFormationFactory(organisme=organisme, date_debut=timezone.localdate(), date_fin=timezone.localdate())
    InscriptionFactory(action=action, awaiting_entry=True)
    entree = action.date_debut.strftime("%d/%m/%Y")
    raw = (
        "numero_bdc;nom;prenom;date_naissance;identifiant_france_travail;date_entree;date_sortie\r\n"
        f'{action.numero_bdc};"RICHARD\r\nBcc: pirate@exemple.fr";Hélène;14/03/1990;1234567A;{entree};\r\n'
        f"{action.numero_bdc};MARTIN;Jean\u202e;02/11/1985;7654321B;{entree};\r\n"
    ).encode()

    response = client_of(primary_account).post(
        "/imports/", {"fichier": SimpleUploadedFile("import.csv", raw, "text/csv")}
    )

    text = page_of(response).text
    assert (
        "Ligne 2, colonne nom : la valeur contient un caractère invisible ou de contrôle (U+000D, U+000A) : "
        "retirez-le." in text
    )
    assert (
        "Ligne 4, colonne prenom : la valeur contient un caractère invisible ou de contrôle (U+202E) : retirez-le."
        in text
    )
    assert not Stagiaire.objects.exists()


def test_stored_names_are_cleaned_by_the_migrations(organisme):
    account = UserFactory(organisme=organisme, last_name="RICHARD\r\nBcc: pirate@exemple.fr", first_name="\u202eLéa")
    organisation = OrganismeFactory(raison_sociale="ÉCOLE\tDU\u2066 SUD")
    action = ActionFormationFactory(organisme=organisme, intitule="Secrétariat\x07", lieu="Albi\u200e")
    trainee = InscriptionFactory(action=action).stagiaire
    Stagiaire.objects.filter(pk=trainee.pk).update(nom="DUPONT\x85", prenom="Hélène\u202d")

    for migration, function in [
        ("accounts.migrations.0006_plain_text", "clean_names"),
        ("organisations.migrations.0004_plain_text", "clean_names"),
        ("training.migrations.0003_trainees_per_organisme", "clean_texts"),
    ]:
        getattr(importlib.import_module(migration), function)(apps, None)

    account.refresh_from_db()
    assert (account.last_name, account.first_name) == ("RICHARD Bcc: pirate@exemple.fr", "Léa")
    assert "richard bcc" in account.search_text
    organisation.refresh_from_db()
    assert organisation.raison_sociale == "ÉCOLE DU SUD"
    action.refresh_from_db()
    assert (action.intitule, action.lieu) == ("Secrétariat", "Albi")
    trainee.refresh_from_db()
    assert (trainee.nom, trainee.prenom) == ("DUPONT", "Hélène")


def test_cleaning_keeps_clean_text_as_it_is():
    assert without_invisible_characters("  Jean-Pierre  d\u2019Arc ") == "  Jean-Pierre  d\u2019Arc "
