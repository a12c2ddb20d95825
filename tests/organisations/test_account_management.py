"""What the primary account does to its secondary accounts, as the guide
describes it (sections 1 and 2), through the screens: create, modify,
regenerate the password, delete, unblock, deactivate and activate."""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from tests.factories import PASSWORD

COMPTES = "/organisme/comptes/"
NOUVEAU = "/organisme/comptes/nouveau/"
OF_ORGANISME = "de l’organisme de formation ORGANISME TEST PRF 23"
COLLEAGUE = f"Le compte secondaire de Madame NOM TEST COMPTE PRENOM TEST COMPTE {OF_ORGANISME}"
NEW_ACCOUNT = {
    "civilite": "madame",
    "last_name": "NOM TEST COMPTE",
    "first_name": "PRENOM TEST COMPTE",
    "email": "aa@aa.fr",
}
ACTIONS = ["regenerer", "supprimer", "debloquer", "desactiver", "activer"]


def action_url(account, action):
    return f"{COMPTES}{account.pk}/{action}/"


def modify_url(account):
    return f"{COMPTES}{account.pk}/modifier/"


@pytest.fixture
def manager(client_of, primary_account):
    """The browser of the organisme's primary account, Mme BLA PAU."""
    return client_of(primary_account)


@pytest.fixture
def colleague(secondary_account):
    """The secondary account the primary account manages: Madame NOM TEST COMPTE PRENOM TEST COMPTE."""
    return secondary_account


@pytest.fixture
def blocked_colleague(colleague, login_succeeds):
    """The colleague after three wrong passwords, as the guide says: blocked."""
    for _ in range(settings.MAX_FAILED_LOGINS):
        assert not login_succeeds(colleague.identifiant, "mauvais-mot-de-passe")
    colleague.refresh_from_db()
    assert colleague.is_blocked
    return colleague


@pytest.fixture
def deactivated_colleague(colleague):
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    colleague.refresh_from_db()
    return colleague


@pytest.fixture
def colleague_ready_for(colleague):
    """`colleague_ready_for(action)`: the colleague in the state the action applies to."""

    def prepare(action):
        if action == "debloquer":
            User.objects.filter(pk=colleague.pk).update(is_blocked=True, failed_login_count=3)
        elif action == "activer":
            User.objects.filter(pk=colleague.pk).update(is_active=False)
        colleague.refresh_from_db()
        return colleague

    return prepare


@pytest.fixture
def confirm(manager, page_of):
    """`confirm(account, action)`: the primary account clicks OK on the confirmation
    page of `action`; returns the page it lands on."""

    def click_ok(account, action):
        response = manager.post(action_url(account, action), follow=True)
        assert response.redirect_chain == [(COMPTES, 302)]
        return page_of(response)

    return click_ok


# Créer un nouveau compte


def test_create_window_asks_for_the_guide_fields(manager, page_of):
    response = manager.get(NOUVEAU)
    page = page_of(response)

    assert "Les champs obligatoires sont marqués par un *." in page.text
    assert "Raison sociale : ORGANISME TEST PRF 23 Enseigne : - SIRET : 12345678913000" in page.text
    assert "Civilité * Madame Monsieur" in page.text
    for label in ("Nom d’usage *", "Prénom *", "Courriel *"):
        assert label in page.text
    assert page.href("Annuler") == COMPTES
    assert "Valider" in page.text


def test_primary_account_creates_a_secondary_account(manager, page_of, primary_account, organisme):
    response = manager.post(NOUVEAU, NEW_ACCOUNT, follow=True)

    assert response.redirect_chain == [(COMPTES, 302)]
    page = page_of(response)
    assert (
        "Le compte secondaire de Madame NOM TEST COMPTE PRENOM TEST COMPTE de l’organisme de formation "
        "ORGANISME TEST PRF 23 a bien été créé. "
        "Un courriel de récupération de mot de passe a été envoyé à l’adresse du compte."
    ) in page.text
    account = User.objects.get(email="aa@aa.fr")
    assert (account.organisme, account.kind) == (organisme, User.Kind.SECONDARY)
    assert (account.civilite, account.last_name, account.first_name) == (
        "madame",
        "NOM TEST COMPTE",
        "PRENOM TEST COMPTE",
    )
    assert re.fullmatch(r"[a-z0-9]{10}", account.identifiant)
    assert not account.has_usable_password()
    assert page.column("Identifiant") == [account.identifiant]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CREATED, account=account)
    assert entry.actor == primary_account


def test_new_account_receives_its_identifiant_and_the_generation_link_by_email(manager, mailbox):
    manager.post(NOUVEAU, NEW_ACCOUNT)

    account = User.objects.get(email="aa@aa.fr")
    text = mailbox.text(mailbox.last_to("aa@aa.fr"))
    assert "a été créé" in text
    assert f"Identifiant : {account.identifiant}" in text
    assert f"{settings.SIGMA_BASE_URL}/generation-mot-de-passe/" in mailbox.links(mailbox.last_to("aa@aa.fr"))


def test_each_new_account_gets_its_own_identifiant(manager):
    manager.post(NOUVEAU, NEW_ACCOUNT)
    manager.post(NOUVEAU, NEW_ACCOUNT | {"email": "bb@aa.fr"})

    first, second = User.objects.filter(email__in=["aa@aa.fr", "bb@aa.fr"]).values_list("identifiant", flat=True)
    assert first != second


@pytest.mark.parametrize("missing", ["last_name", "first_name", "email"])
def test_create_without_a_required_field_redisplays_the_form_with_the_typed_data(
    manager, field_errors, stored_state, missing
):
    before = stored_state()
    typed = NEW_ACCOUNT | {missing: "   "}

    response = manager.post(NOUVEAU, typed)

    assert response.status_code == 200
    assert field_errors(response, missing) == ["Ce champ est obligatoire."]
    page = response.content.decode()
    for name, value in typed.items():
        if name not in (missing, "civilite"):
            assert f'name="{name}" value="{value}"' in page
    assert stored_state() == before


def test_create_with_an_invalid_email_says_so_in_french_and_creates_nothing(manager, field_errors, stored_state):
    before = stored_state()

    response = manager.post(NOUVEAU, NEW_ACCOUNT | {"email": "aa@aa"})

    assert field_errors(response, "email") == ["Saisissez une adresse de courriel valide."]
    assert 'name="email" value="aa@aa"' in response.content.decode()
    assert 'name="last_name" value="NOM TEST COMPTE"' in response.content.decode()
    assert stored_state() == before


def test_create_with_an_unknown_civilite_creates_nothing(manager, field_errors, stored_state):
    before = stored_state()

    response = manager.post(NOUVEAU, NEW_ACCOUNT | {"civilite": "docteur"})

    assert field_errors(response, "civilite") == ["Sélectionnez un choix valide. docteur n\u2019en fait pas partie."]
    assert stored_state() == before


def test_validating_an_empty_form_flags_every_required_field(manager, page_of, field_errors):
    # What a browser sends when Valider is clicked without typing anything.
    response = manager.post(NOUVEAU, {"civilite": "madame", "last_name": "", "first_name": "", "email": ""})

    assert "Le formulaire contient des erreurs : elles sont indiquées au-dessus des champs concernés." in (
        page_of(response).text
    )
    for name in ("last_name", "first_name", "email"):
        assert field_errors(response, name) == ["Ce champ est obligatoire."]


# Modification du compte


def test_modify_window_shows_the_account_current_details(manager, page_of, colleague):
    response = manager.get(modify_url(colleague))
    page = response.content.decode()

    assert "Les champs obligatoires sont marqués par un *." in page_of(response).text
    assert "Raison sociale : ORGANISME TEST PRF 23" in page_of(response).text
    assert '<option value="madame" selected>Madame</option>' in page
    assert 'name="last_name" value="NOM TEST COMPTE"' in page
    assert 'name="first_name" value="PRENOM TEST COMPTE"' in page
    assert 'name="email" value="aa1@aa.fr"' in page
    assert page_of(response).href("Annuler") == COMPTES


def test_primary_account_modifies_a_secondary_account(manager, page_of, colleague):
    response = manager.post(
        modify_url(colleague),
        {
            "civilite": "monsieur",
            "last_name": "GU",
            "first_name": "Be",
            "email": "gu.be@aa.fr",
            "version": colleague.version,
        },
        follow=True,
    )

    assert response.redirect_chain == [(COMPTES, 302)]
    page = page_of(response)
    assert f"Le compte secondaire de Monsieur GU Be {OF_ORGANISME} a bien été modifié." in page.text
    colleague.refresh_from_db()
    assert (colleague.civilite, colleague.last_name, colleague.first_name, colleague.email) == (
        "monsieur",
        "GU",
        "Be",
        "gu.be@aa.fr",
    )
    assert colleague.identifiant == "test.identifiant"
    assert colleague.check_password(PASSWORD)
    assert page.rows[0][:3] == ["GU Be", "test.identifiant", "gu.be@aa.fr"]


def test_modification_is_audited_with_the_old_and_new_values(manager, colleague, primary_account):
    manager.post(
        modify_url(colleague),
        NEW_ACCOUNT | {"last_name": "NOUVEAU NOM", "email": "nouveau@aa.fr", "version": colleague.version},
    )

    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_MODIFIED, account=colleague)
    assert entry.changes == {
        "last_name": ["NOM TEST COMPTE", "NOUVEAU NOM"],
        "email": ["aa1@aa.fr", "nouveau@aa.fr"],
    }
    assert entry.actor == primary_account


def test_invalid_modification_redisplays_the_typed_data_and_changes_nothing(
    manager, field_errors, stored_state, colleague
):
    before = stored_state()

    response = manager.post(modify_url(colleague), NEW_ACCOUNT | {"last_name": "AUTRE NOM", "email": "pas-un-courriel"})

    assert response.status_code == 200
    assert field_errors(response, "email") == ["Saisissez une adresse de courriel valide."]
    assert 'name="last_name" value="AUTRE NOM"' in response.content.decode()
    assert stored_state() == before


# Confirmations: "Êtes-vous sûr de vouloir ... ?", OK or Annuler


@pytest.mark.parametrize(
    ("action", "question"),
    [
        ("regenerer", "Êtes-vous sûr de vouloir régénérer le mot de passe du compte ?"),
        ("supprimer", "Êtes-vous sûr de vouloir supprimer définitivement le compte ?"),
        ("debloquer", "Êtes-vous sûr de vouloir débloquer le compte ?"),
        ("desactiver", "Êtes-vous sûr de vouloir désactiver le compte ?"),
        ("activer", "Êtes-vous sûr de vouloir activer le compte ?"),
    ],
)
def test_each_action_first_asks_for_confirmation_with_ok_and_annuler(
    manager, page_of, colleague_ready_for, action, question
):
    account = colleague_ready_for(action)

    page = page_of(manager.get(action_url(account, action)))

    assert question in page.text
    assert "Compte concerné : Madame NOM TEST COMPTE PRENOM TEST COMPTE (identifiant test.identifiant)." in page.text
    assert "OK" in page.text
    assert page.href("Annuler") == COMPTES


@pytest.mark.parametrize("action", ACTIONS)
def test_opening_a_confirmation_page_changes_nothing(manager, stored_state, colleague_ready_for, action):
    account = colleague_ready_for(action)
    before = stored_state()

    response = manager.get(action_url(account, action))

    assert response.status_code == 200
    assert stored_state() == before


def test_opening_the_modify_window_changes_nothing(manager, stored_state, colleague):
    before = stored_state()

    response = manager.get(modify_url(colleague) + "?last_name=PIRATE&email=pirate@exemple.fr")

    assert response.status_code == 200
    assert stored_state() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_refuse_a_post_without_csrf_token(primary_account, stored_state, colleague_ready_for, action):
    account = colleague_ready_for(action)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(primary_account)
    before = stored_state()

    response = browser.post(action_url(account, action))

    assert response.status_code == 403
    assert stored_state() == before


@pytest.mark.parametrize("form", ["creer", "modifier"])
def test_account_forms_refuse_a_post_without_csrf_token(primary_account, stored_state, colleague, form):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(primary_account)
    before = stored_state()

    response = browser.post(NOUVEAU if form == "creer" else modify_url(colleague), NEW_ACCOUNT)

    assert response.status_code == 403
    assert stored_state() == before


def test_ok_on_the_confirmation_page_sends_its_csrf_token(primary_account, colleague):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(primary_account)
    confirmation = browser.get(action_url(colleague, "desactiver")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirmation).group(1)

    response = browser.post(action_url(colleague, "desactiver"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active


# Régénérer le mot de passe


def test_primary_account_regenerates_a_colleague_password(confirm, colleague, login_succeeds, primary_account):
    assert login_succeeds("test.identifiant", PASSWORD)

    page = confirm(colleague, "regenerer")

    assert (
        f"{COLLEAGUE} a bien été régénéré. "
        "Un courriel de notification de régénération de mot de passe a été envoyé à l’adresse du compte."
    ) in page.text
    assert not login_succeeds("test.identifiant", PASSWORD)
    colleague.refresh_from_db()
    assert not colleague.has_usable_password()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_REGENERATED, account=colleague)
    assert entry.actor == primary_account


def test_regeneration_email_tells_the_user_and_leads_to_the_generation_page(confirm, colleague, mailbox, client):
    confirm(colleague, "regenerer")

    message = mailbox.last_to("aa1@aa.fr")
    text = mailbox.text(message)
    assert "a été régénéré" in text
    assert "Identifiant : test.identifiant" in text
    generation_link = f"{settings.SIGMA_BASE_URL}/generation-mot-de-passe/"
    assert generation_link in mailbox.links(message)
    client.logout()
    generation_page = client.get(generation_link.removeprefix(settings.SIGMA_BASE_URL))
    assert "Génération de mot de passe" in generation_page.content.decode()


def test_regeneration_ends_the_colleague_open_session(confirm, colleague, browser_of):
    colleague_browser = browser_of(colleague)
    assert colleague_browser.get("/").status_code == 200

    confirm(colleague, "regenerer")

    response = colleague_browser.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/connexion/")


# Suppression du compte


def test_primary_account_deletes_a_colleague(confirm, manager, colleague, login_succeeds):
    page = confirm(colleague, "supprimer")

    assert f"{COLLEAGUE} a bien été supprimé." in page.text
    assert "Nombre de résultats : 0" in page.text
    assert "test.identifiant" not in page.text
    assert not login_succeeds("test.identifiant", PASSWORD)
    assert manager.get(modify_url(colleague)).status_code == 404


def test_deleted_account_is_still_named_in_its_audit_trail(confirm, colleague, login_succeeds, primary_account):
    assert login_succeeds("test.identifiant", PASSWORD)

    confirm(colleague, "supprimer")

    trail = AuditEntry.objects.filter(account=colleague)
    assert {entry.action for entry in trail} >= {
        AuditEntry.Action.LOGIN_SUCCEEDED,
        AuditEntry.Action.ACCOUNT_DELETED,
    }
    assert {entry.account_name for entry in trail} == {"Madame NOM TEST COMPTE PRENOM TEST COMPTE"}
    deletion = trail.get(action=AuditEntry.Action.ACCOUNT_DELETED)
    assert (deletion.actor, deletion.actor_name) == (primary_account, "Madame BLA PAU")


def test_deletion_ends_the_colleague_open_session(confirm, colleague, browser_of):
    colleague_browser = browser_of(colleague)

    confirm(colleague, "supprimer")

    assert colleague_browser.get("/").url.startswith("/connexion/")


# Blocage / déblocage du compte


def test_list_shows_a_colleague_blocked_after_three_wrong_passwords(manager, page_of, blocked_colleague):
    page = page_of(manager.get(COMPTES))

    assert page.column("Blocage du compte") == ["Bloqué"]
    assert page.href("Débloquer le compte") == action_url(blocked_colleague, "debloquer")


def test_primary_account_unblocks_a_blocked_colleague(confirm, blocked_colleague, login_succeeds, primary_account):
    assert not login_succeeds("test.identifiant", PASSWORD)

    page = confirm(blocked_colleague, "debloquer")

    assert f"{COLLEAGUE} a bien été débloqué." in page.text
    assert page.column("Blocage du compte") == ["Débloqué"]
    blocked_colleague.refresh_from_db()
    assert (blocked_colleague.is_blocked, blocked_colleague.failed_login_count) == (False, 0)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_UNBLOCKED, account=blocked_colleague)
    assert entry.actor == primary_account
    assert login_succeeds("test.identifiant", PASSWORD)


def test_unblocked_colleague_has_three_new_attempts(confirm, blocked_colleague, login_succeeds):
    confirm(blocked_colleague, "debloquer")

    for _ in range(settings.MAX_FAILED_LOGINS - 1):
        assert not login_succeeds("test.identifiant", "encore-faux")
    assert login_succeeds("test.identifiant", PASSWORD)


@pytest.mark.parametrize("method", ["get", "post"])
def test_unblocking_applies_only_to_a_blocked_account(manager, page_of, stored_state, colleague, method):
    before = stored_state()

    response = getattr(manager, method)(action_url(colleague, "debloquer"), follow=True)

    assert response.redirect_chain == [(COMPTES, 302)]
    assert "Cette action ne s’applique pas à ce compte dans son état actuel." in page_of(response).text
    assert stored_state() == before


# Désactivation / activation du compte secondaire


def test_primary_account_deactivates_a_colleague(confirm, colleague, login_succeeds, primary_account):
    page = confirm(colleague, "desactiver")

    assert f"{COLLEAGUE} a bien été désactivé." in page.text
    assert page.column("Statut du compte") == ["Désactivé"]
    assert page.href("Activer le compte") == action_url(colleague, "activer")
    assert not login_succeeds("test.identifiant", PASSWORD)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_DEACTIVATED, account=colleague)
    assert entry.actor == primary_account


def test_deactivated_account_still_exists_asleep(confirm, colleague):
    confirm(colleague, "desactiver")

    colleague.refresh_from_db()
    assert colleague.deleted_at is None
    assert colleague.check_password(PASSWORD)
    assert colleague.identifiant == "test.identifiant"


def test_deactivation_ends_the_colleague_open_session(confirm, colleague, browser_of):
    colleague_browser = browser_of(colleague)

    confirm(colleague, "desactiver")

    assert colleague_browser.get("/").url.startswith("/connexion/")


def test_primary_account_reactivates_a_deactivated_colleague(
    confirm, deactivated_colleague, login_succeeds, primary_account
):
    assert not login_succeeds("test.identifiant", PASSWORD)

    page = confirm(deactivated_colleague, "activer")

    assert f"{COLLEAGUE} a bien été activé." in page.text
    assert page.column("Statut du compte") == ["Actif"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_ACTIVATED, account=deactivated_colleague)
    assert entry.actor == primary_account
    assert login_succeeds("test.identifiant", PASSWORD)


@pytest.mark.parametrize(
    ("state", "action"),
    [("active", "activer"), ("deactivated", "desactiver")],
)
def test_activation_and_deactivation_apply_only_in_the_matching_state(
    manager, page_of, stored_state, request, state, action
):
    account = request.getfixturevalue("colleague" if state == "active" else "deactivated_colleague")
    before = stored_state()

    response = manager.post(action_url(account, action), follow=True)

    assert "Cette action ne s’applique pas à ce compte dans son état actuel." in page_of(response).text
    assert stored_state() == before
