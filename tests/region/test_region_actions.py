"""What a Region agent does on an organisme's accounts, compte principal
included: every action the guide gives a compte principal (create, modify,
regenerate the password, delete, unblock, deactivate, activate), and the
creation of an organisme whose compte principal then logs in for the first time."""

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from organisations.models import Organisme
from tests.factories import PASSWORD

OF_ORGANISME = "de l’organisme de formation ORGANISME TEST PRF 23"
SECONDARY = f"Le compte secondaire de Madame NOM TEST COMPTE PRENOM TEST COMPTE {OF_ORGANISME}"
PRIMARY = f"Le compte principal de Madame BLA PAU {OF_ORGANISME}"
MODIFIED = {"civilite": "monsieur", "last_name": "NOUVEAU NOM", "first_name": "Nouveau", "email": "nouveau@of.fr"}


def action_url(account, action):
    return f"/region/comptes/{account.pk}/{action}/"


@pytest.fixture
def organisme_url(organisme):
    return f"/region/organismes/{organisme.pk}/"


@pytest.fixture(params=["secondary", "primary"])
def target(request, primary_account, secondary_account):
    """The account acted on, each kind in turn, with the start of the guide's message about it."""
    if request.param == "primary":
        return primary_account, PRIMARY
    return secondary_account, SECONDARY


@pytest.fixture
def ready_for():
    """`ready_for(account, action)`: the account in the state the action applies to."""

    def prepare(account, action):
        if action == "debloquer":
            User.objects.filter(pk=account.pk).update(is_blocked=True, failed_login_count=3)
        elif action == "activer":
            User.objects.filter(pk=account.pk).update(is_active=False)
        account.refresh_from_db()
        return account

    return prepare


@pytest.fixture
def confirm(agent, page_of, organisme_url):
    """`confirm(account, action)`: the agent clicks OK on the action's confirmation
    page; returns the organisme page it lands on."""

    def click_ok(account, action):
        response = agent.post(action_url(account, action), follow=True)
        assert response.redirect_chain == [(organisme_url, 302)]
        return page_of(response)

    return click_ok


def audit_entry(account, action):
    return AuditEntry.objects.get(account=account, action=action)


# The confirmation pages


@pytest.mark.parametrize(
    ("action", "question"),
    [
        ("regenerer", "Êtes-vous sûr de vouloir régénérer le mot de passe du compte ?"),
        ("debloquer", "Êtes-vous sûr de vouloir débloquer le compte ?"),
        ("desactiver", "Êtes-vous sûr de vouloir désactiver le compte ?"),
        ("activer", "Êtes-vous sûr de vouloir activer le compte ?"),
    ],
)
def test_each_action_asks_for_confirmation_and_changes_nothing_yet(
    agent, page_of, stored_state, ready_for, target, organisme_url, action, question
):
    account = ready_for(target[0], action)
    before = stored_state()

    page = page_of(agent.get(action_url(account, action)))

    assert question in page.text
    assert f"Compte concerné : {account.civil_name} (identifiant {account.identifiant})." in page.text
    assert page.href("Annuler") == organisme_url
    assert stored_state() == before


# Each action, on a secondary and on a primary account


def test_agent_regenerates_the_password(confirm, mailbox, target, region_agent):
    account, about = target

    page = confirm(account, "regenerer")

    assert (
        f"{about} a bien été régénéré. "
        "Un courriel de notification de régénération de mot de passe a été envoyé à l’adresse du compte."
    ) in page.text
    account.refresh_from_db()
    assert not account.has_usable_password()
    assert audit_entry(account, AuditEntry.Action.PASSWORD_REGENERATED).actor == region_agent
    text = mailbox.text(mailbox.last_to(account.email))
    assert "a été régénéré par la région :" in text
    assert f"Identifiant : {account.identifiant}" in text


def test_agent_unblocks(confirm, ready_for, target, region_agent, login_succeeds):
    account, about = target
    ready_for(account, "debloquer")

    page = confirm(account, "debloquer")

    assert f"{about} a bien été débloqué." in page.text
    account.refresh_from_db()
    assert (account.is_blocked, account.failed_login_count) == (False, 0)
    assert audit_entry(account, AuditEntry.Action.ACCOUNT_UNBLOCKED).actor == region_agent
    assert login_succeeds(account.identifiant, PASSWORD)


def test_agent_deactivates(confirm, target, region_agent, login_succeeds):
    account, about = target

    page = confirm(account, "desactiver")

    assert f"{about} a bien été désactivé." in page.text
    account.refresh_from_db()
    assert not account.is_active
    assert audit_entry(account, AuditEntry.Action.ACCOUNT_DEACTIVATED).actor == region_agent
    assert not login_succeeds(account.identifiant, PASSWORD)


def test_agent_reactivates(confirm, ready_for, target, region_agent, login_succeeds):
    account, about = target
    ready_for(account, "activer")

    page = confirm(account, "activer")

    assert f"{about} a bien été activé." in page.text
    account.refresh_from_db()
    assert account.is_active
    assert audit_entry(account, AuditEntry.Action.ACCOUNT_ACTIVATED).actor == region_agent
    assert login_succeeds(account.identifiant, PASSWORD)


def test_agent_modifies(agent, page_of, organisme_url, target, region_agent):
    account, _about = target
    form = page_of(agent.get(f"/region/comptes/{account.pk}/modifier/"))
    assert "Raison sociale : ORGANISME TEST PRF 23" in form.text
    assert f'name="last_name" value="{account.last_name}"' in agent.get(f"/region/comptes/{account.pk}/modifier/").text

    response = agent.post(
        f"/region/comptes/{account.pk}/modifier/", MODIFIED | {"version": account.version}, follow=True
    )

    assert response.redirect_chain == [(organisme_url, 302)]
    kind = "principal" if account.is_primary else "secondaire"
    assert f"Le compte {kind} de Monsieur NOUVEAU NOM Nouveau {OF_ORGANISME} a bien été modifié." in (
        page_of(response).text
    )
    account.refresh_from_db()
    assert (account.civilite, account.last_name, account.first_name, account.email) == tuple(MODIFIED.values())
    assert account.kind == (User.Kind.PRIMARY if kind == "principal" else User.Kind.SECONDARY)
    assert audit_entry(account, AuditEntry.Action.ACCOUNT_MODIFIED).actor == region_agent


def test_agent_deletes_a_secondary_account(confirm, secondary_account, region_agent, page_of):
    page = confirm(secondary_account, "supprimer")

    assert f"{SECONDARY} a bien été supprimé." in page.text
    secondary_account.refresh_from_db()
    assert secondary_account.is_deleted
    assert page.rows == []
    assert audit_entry(secondary_account, AuditEntry.Action.ACCOUNT_DELETED).actor == region_agent


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_primary_account_cannot_be_deleted_before_its_role_is_handed_over(
    agent, page_of, organisme_url, primary_account, stored_state, method
):
    before = stored_state()

    response = getattr(agent, method)(action_url(primary_account, "supprimer"), follow=True)

    assert response.redirect_chain == [(organisme_url, 302)]
    assert "Cette action ne s’applique pas à ce compte dans son état actuel." in page_of(response).text
    assert stored_state() == before
    assert Organisme.objects.get().primary_account == primary_account


def test_an_action_that_does_not_apply_changes_nothing(agent, page_of, target, stored_state):
    account, _about = target
    before = stored_state()

    for action in ["debloquer", "activer"]:
        response = agent.post(action_url(account, action), follow=True)
        assert "Cette action ne s’applique pas à ce compte dans son état actuel." in page_of(response).text

    assert stored_state() == before


# Créer un nouveau compte in an organisme


def test_agent_creates_a_secondary_account_in_an_organisme(
    agent, page_of, mailbox, organisme, organisme_url, primary_account, region_agent
):
    response = agent.post(
        f"{organisme_url}comptes/nouveau/",
        {"civilite": "madame", "last_name": "NOM TEST COMPTE", "first_name": "PRENOM TEST COMPTE", "email": "aa@aa.fr"},
        follow=True,
    )

    assert response.redirect_chain == [(organisme_url, 302)]
    assert (
        f"{SECONDARY} a bien été créé. Un courriel de récupération de mot de passe a été envoyé à l’adresse du compte."
    ) in page_of(response).text
    account = User.objects.get(email="aa@aa.fr")
    assert (account.organisme, account.kind) == (organisme, User.Kind.SECONDARY)
    assert page_of(response).column("Identifiant") == [account.identifiant]
    assert audit_entry(account, AuditEntry.Action.ACCOUNT_CREATED).actor == region_agent
    assert f"Identifiant : {account.identifiant}" in mailbox.text(mailbox.last_to("aa@aa.fr"))


def test_the_create_window_shows_the_organisme_and_returns_to_its_page(agent, page_of, organisme_url):
    page = page_of(agent.get(f"{organisme_url}comptes/nouveau/"))

    assert "Raison sociale : ORGANISME TEST PRF 23 Enseigne : - SIRET : 12345678913000" in page.text
    assert page.href("Annuler") == organisme_url


# A new organisme's compte principal, from creation to first login


def test_a_new_organisme_primary_account_follows_the_password_generation_path_to_its_first_login(
    agent, mailbox, client_by_link, login_succeeds, page_of
):
    agent.post(
        "/region/organismes/nouveau/",
        {
            "raison_sociale": "ÉCOLE DES MÉTIERS DU SUD",
            "enseigne": "",
            "siret": "73282932000074",
            "civilite": "monsieur",
            "last_name": "GARCIA",
            "first_name": "Luis",
            "email": "luis.garcia@ems.fr",
        },
    )
    primary = Organisme.objects.get(siret="73282932000074").primary_account

    first_email = mailbox.last_to("luis.garcia@ems.fr")
    assert first_email["Subject"] == "SIGMA - Création de votre compte d’accès à l’application SIGMA"
    assert f"Identifiant : {primary.identifiant}\nNom d’usage : GARCIA\nPrénom : Luis\n" in (
        mailbox.text(first_email).replace("\r\n", "\n")
    )
    assert any(link.endswith("/generation-mot-de-passe/") for link in mailbox.links(first_email))

    browser = client_by_link(primary)
    response = browser.post(
        "/mon-compte/modifications/",
        {
            "identifiant": "luis.garcia",
            "new_password": "Ecole-Des-Metiers-2026!",
            "new_password_confirmation": "Ecole-Des-Metiers-2026!",
        },
    )
    assert response.status_code == 302

    assert login_succeeds("luis.garcia", "Ecole-Des-Metiers-2026!")
    first_login = Client()
    first_login.post("/connexion/", {"identifiant": "luis.garcia", "password": "Ecole-Des-Metiers-2026!"})
    page = page_of(first_login.get("/organisme/fiche/"))
    assert "Raison sociale : ÉCOLE DES MÉTIERS DU SUD" in page.text
    assert "Gestionnaire du compte : M. GARCIA Luis Identifiant : luis.garcia" in page.text
