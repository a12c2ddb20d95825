"""Gestion organisme > Ma fiche organisme (guide, section 1): the organisme and
the rubrique Informations du compte principal."""

import pytest

from tests.factories import PASSWORD

FICHE = "/organisme/fiche/"


@pytest.fixture
def open_fiche(client_of, primary_account):
    """`open_fiche()`: Ma fiche organisme, as the primary account sees it now."""

    def open_page():
        response = client_of(primary_account).get(FICHE)
        assert response.status_code == 200
        return response

    return open_page


def test_fiche_shows_raison_sociale_enseigne_dash_when_empty_and_siret(open_fiche, page_of):
    text = page_of(open_fiche()).text

    assert "Raison sociale : ORGANISME TEST PRF 23 Enseigne : - SIRET : 12345678913000" in text


def test_fiche_shows_the_enseigne_when_the_organisme_has_one(open_fiche, page_of, organisme):
    organisme.enseigne = "FORMA SUD"
    organisme.save()

    assert "Enseigne : FORMA SUD SIRET" in page_of(open_fiche()).text


def test_fiche_shows_the_primary_account_block_as_in_the_guide(open_fiche, page_of, primary_account):
    text = page_of(open_fiche()).text

    assert (
        "Informations du compte principal "
        "Gestionnaire du compte : Mme BLA PAU "
        "Identifiant : 66bdj5zw4x "
        "Mot de passe : ***** "
        f"Courriel d’envoi des accès : {primary_account.email} "
        "Statut du compte : Actif "
        "Blocage du compte : Débloqué"
    ) in text


def test_a_male_manager_is_shown_as_monsieur(open_fiche, page_of, primary_account):
    primary_account.civilite = "monsieur"
    primary_account.save()

    assert "Gestionnaire du compte : M. BLA PAU " in page_of(open_fiche()).text


def test_password_is_masked_and_neither_it_nor_its_hash_is_ever_in_the_page(open_fiche, primary_account):
    page = open_fiche().content.decode()

    assert "*****" in page
    assert PASSWORD not in page
    assert primary_account.password not in page
    # Not even a piece of it: the salt and the hash are the last two parts.
    for part in primary_account.password.split("$")[-2:]:
        assert part not in page
    assert "argon2" not in page


def test_fiche_shows_the_primary_account_even_when_secondary_accounts_exist(open_fiche, page_of, secondary_account):
    text = page_of(open_fiche()).text

    assert "Gestionnaire du compte : Mme BLA PAU Identifiant : 66bdj5zw4x" in text
    assert secondary_account.identifiant not in text


def test_fiche_leads_to_comptes_utilisateurs(open_fiche, page_of):
    assert page_of(open_fiche()).href("Comptes utilisateurs") == "/organisme/comptes/"
