"""Espace Région: an organisme's page with all its accounts, the form creating
an organisme with its compte principal, and the way there from the home page."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from organisations.models import Organisme
from tests.factories import UserFactory

SECONDARY_COLUMNS = [
    "Gestionnaire du compte",
    "Identifiant",
    "Courriel d’envoi des accès",
    "Statut du compte",
    "Blocage du compte",
    # Beyond the guide: when the account last logged in and how many sessions
    # (Mes sessions) it has open, the last e-mail sent to it and whether it arrived.
    "Dernière connexion",
    "Dernier courriel",
    "Gestion",
]
NEW_ORGANISME = {
    "raison_sociale": "ÉCOLE DES MÉTIERS DU SUD",
    "enseigne": "EMS",
    "siret": "73282932000074",
    "civilite": "monsieur",
    "last_name": "GARCIA",
    "first_name": "Luis",
    "email": "luis.garcia@ems.fr",
}


def reverse_or_none(name, *args):
    """Pages of the other screens (transfert, historique) may not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@pytest.fixture
def organisme_url(organisme):
    return f"/region/organismes/{organisme.pk}/"


@pytest.fixture
def gu_be(organisme):
    return UserFactory(
        organisme=organisme, civilite="monsieur", last_name="GU", first_name="Be", identifiant="8wwapv3bzk"
    )


# The organisme's page


def test_organisme_page_shows_its_identity_and_its_primary_account(agent, page_of, organisme_url, primary_account):
    page = page_of(agent.get(organisme_url))

    assert "Raison sociale : ORGANISME TEST PRF 23 Enseigne : - SIRET : 12345678913000" in page.text
    assert (
        "Informations du compte principal Gestionnaire du compte : Mme BLA PAU Identifiant : 66bdj5zw4x "
        "Mot de passe : ***** Courriel d’envoi des accès : 66bdj5zw4x@exemple.fr "
        "Statut du compte : Actif Blocage du compte : Débloqué"
    ) in page.text


def test_organisme_page_lists_the_secondary_accounts_with_the_guide_columns(
    agent, page_of, organisme_url, primary_account, secondary_account, gu_be
):
    User.objects.filter(pk=gu_be.pk).update(is_blocked=True, is_active=False)

    page = page_of(agent.get(organisme_url))

    assert "Informations des comptes secondaires" in page.text
    assert "Nombre de résultats : 2" in page.text
    assert page.headers == SECONDARY_COLUMNS
    assert [row[:5] for row in page.rows] == [
        ["GU Be", "8wwapv3bzk", "8wwapv3bzk@exemple.fr", "Désactivé", "Bloqué"],
        ["NOM TEST COMPTE PRENOM TEST COMPTE", "test.identifiant", "aa1@aa.fr", "Actif", "Débloqué"],
    ]


def test_every_account_has_its_action_links_and_only_secondary_accounts_can_be_deleted(
    agent, page_of, organisme_url, primary_account, secondary_account
):
    User.objects.filter(pk=primary_account.pk).update(is_blocked=True)

    page = page_of(agent.get(organisme_url))

    links = {href for _text, href in page.links}
    for account, actions in [
        (primary_account, ["regenerer", "debloquer", "desactiver"]),
        (secondary_account, ["regenerer", "desactiver", "supprimer"]),
    ]:
        assert f"/region/comptes/{account.pk}/modifier/" in links
        for action in actions:
            assert f"/region/comptes/{account.pk}/{action}/" in links
    assert f"/region/comptes/{primary_account.pk}/supprimer/" not in links
    assert f"/region/comptes/{secondary_account.pk}/debloquer/" not in links
    assert page.href("Créer un nouveau compte") == f"{organisme_url}comptes/nouveau/"


def test_a_deactivated_account_offers_activer(agent, page_of, organisme_url, primary_account):
    User.objects.filter(pk=primary_account.pk).update(is_active=False)

    page = page_of(agent.get(organisme_url))

    assert page.href("Activer le compte") == f"/region/comptes/{primary_account.pk}/activer/"
    assert not page.has_link("Désactiver le compte")


def test_the_page_offers_to_hand_over_the_primary_role_once_that_page_exists(
    agent, page_of, organisme, organisme_url, primary_account
):
    page = page_of(agent.get(organisme_url))

    hand_over_url = reverse_or_none("region:hand_over", organisme.pk)
    if hand_over_url:
        assert page.href("Transférer le rôle de compte principal") == hand_over_url
    else:
        assert not page.has_link("Transférer le rôle de compte principal")


def test_the_page_shows_neither_deleted_accounts_nor_other_organismes_accounts(
    agent, page_of, organisme, organisme_url, primary_account, other_secondary_account
):
    UserFactory(organisme=organisme, identifiant="ancien.compte", deleted_at=timezone.now())

    page = page_of(agent.get(organisme_url))

    assert page.rows == []
    assert "Nombre de résultats : 0" in page.text
    assert "ancien.compte" not in page.text
    assert other_secondary_account.identifiant not in page.text


def test_an_organisme_without_primary_account_says_so(agent, page_of, organisme_url):
    page = page_of(agent.get(organisme_url))

    assert "Cet organisme n’a pas de compte principal." in page.text


# The way there


def test_the_home_page_leads_region_agents_to_the_espace_region(agent, page_of):
    page = page_of(agent.get("/"))

    assert page.href("Espace Région") == "/region/"


@pytest.mark.parametrize("account_fixture", ["primary_account", "secondary_account"])
def test_organisme_accounts_are_not_offered_the_espace_region(request, client_of, page_of, account_fixture):
    page = page_of(client_of(request.getfixturevalue(account_fixture)).get("/"))

    assert not page.has_link("Espace Région")


def test_the_espace_region_menu_leads_to_its_pages(agent, page_of, organisme_url, primary_account):
    for path in ["/region/", organisme_url, "/region/organismes/nouveau/"]:
        page = page_of(agent.get(path))
        assert page.href("Recherche rapide") == "/region/"
        assert page.href("Créer un organisme") == "/region/organismes/nouveau/"
        history_url = reverse_or_none("audit:region_history")
        if history_url:
            assert page.href("Historique") == history_url
        else:
            assert not page.has_link("Historique")


def test_search_results_lead_to_the_organisme_page(agent, page_of, organisme_url, primary_account):
    page = page_of(agent.get("/region/", {"q": "66bdj5zw4x"}))

    assert organisme_url in {href for _text, href in page.links}


# Créer un organisme


def test_create_window_asks_for_the_organisme_and_its_primary_account(agent, page_of):
    page = page_of(agent.get("/region/organismes/nouveau/"))

    assert "Les champs obligatoires sont marqués par un *." in page.text
    for label in ["Raison sociale *", "Enseigne", "SIRET *", "Civilité *", "Nom d’usage *", "Prénom *", "Courriel *"]:
        assert label in page.text
    assert "Enseigne *" not in page.text
    assert page.href("Annuler") == "/region/"


def test_agent_creates_an_organisme_with_its_primary_account(agent, page_of, region_agent):
    response = agent.post("/region/organismes/nouveau/", NEW_ORGANISME, follow=True)

    organisme = Organisme.objects.get(siret="73282932000074")
    assert response.redirect_chain == [(f"/region/organismes/{organisme.pk}/", 302)]
    assert (organisme.raison_sociale, organisme.enseigne) == ("ÉCOLE DES MÉTIERS DU SUD", "EMS")
    primary = organisme.primary_account
    assert (primary.civilite, primary.last_name, primary.first_name, primary.email) == (
        "monsieur",
        "GARCIA",
        "Luis",
        "luis.garcia@ems.fr",
    )
    assert not primary.has_usable_password()
    page = page_of(response)
    assert (
        "L’organisme de formation ÉCOLE DES MÉTIERS DU SUD a bien été créé. "
        "Le compte principal de Monsieur GARCIA Luis de l’organisme de formation ÉCOLE DES MÉTIERS DU SUD "
        "a bien été créé. Un courriel de récupération de mot de passe a été envoyé à l’adresse du compte."
    ) in page.text
    assert f"Identifiant : {primary.identifiant}" in page.text
    assert primary.audit_entries.get(action="account_created").actor == region_agent


def test_spaces_typed_in_the_siret_are_dropped(agent):
    agent.post("/region/organismes/nouveau/", NEW_ORGANISME | {"siret": "732 829 320 00074"})

    assert Organisme.objects.filter(siret="73282932000074").exists()


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("7328293200007", "Le SIRET doit comporter exactement 14 chiffres."),
        ("7328293200007A", "Le SIRET doit comporter exactement 14 chiffres."),
        ("73282932000075", "Ce numéro SIRET n’est pas valide (clé de contrôle incorrecte)."),
        ("12345678913000", "Un organisme de formation avec ce SIRET existe déjà."),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_a_wrong_siret_is_explained_in_french_and_creates_nothing(
    agent, field_errors, stored_state, organisme, siret, message
):
    before = stored_state()

    response = agent.post("/region/organismes/nouveau/", NEW_ORGANISME | {"siret": siret})

    assert response.status_code == 200
    assert field_errors(response, "siret") == [message]
    assert 'name="raison_sociale" value="ÉCOLE DES MÉTIERS DU SUD"' in response.text
    assert stored_state() == before
    assert Organisme.objects.count() == 1


@pytest.mark.parametrize("missing", ["raison_sociale", "last_name", "first_name", "email"])
def test_a_missing_required_field_creates_nothing(agent, field_errors, stored_state, missing):
    before = stored_state()

    response = agent.post("/region/organismes/nouveau/", NEW_ORGANISME | {missing: "  "})

    assert field_errors(response, missing) == ["Ce champ est obligatoire."]
    assert stored_state() == before
    assert not Organisme.objects.exists()


def test_an_invalid_email_creates_nothing(agent, field_errors):
    response = agent.post("/region/organismes/nouveau/", NEW_ORGANISME | {"email": "luis@ems"})

    assert field_errors(response, "email") == ["Saisissez une adresse de courriel valide."]
    assert not Organisme.objects.exists()


def test_the_enseigne_may_be_left_empty(agent):
    agent.post("/region/organismes/nouveau/", NEW_ORGANISME | {"enseigne": ""})

    assert Organisme.objects.get().enseigne == ""


def test_the_form_cannot_choose_the_account_kind_or_identifiant(agent):
    agent.post("/region/organismes/nouveau/", NEW_ORGANISME | {"kind": "region_agent", "identifiant": "choisi"})

    (account,) = User.objects.filter(email="luis.garcia@ems.fr")
    assert account.kind == User.Kind.PRIMARY
    assert account.identifiant != "choisi"
