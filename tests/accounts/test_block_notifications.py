"""When three wrong passwords block an account, whoever can unblock it (the
organisme's compte principal; the Région for a compte principal) gets a direct
link to the unblock confirmation, and the blocked user is told whom to contact."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.accounts.login import log_in
from tests.core.test_settings import manage
from tests.factories import PASSWORD, UserFactory
from tests.pages import squeeze

BASE_URL = "https://sigma.laregion.fr"
WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"
REGION_EMAIL = "comptes-sigma@laregion.fr"
CONFIRMATION = "Êtes-vous sûr de vouloir débloquer le compte ?"


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.SIGMA_BASE_URL = BASE_URL
    settings.SIGMA_REGION_EMAIL = REGION_EMAIL


def subject_of(message):
    # A long subject is folded onto the next header line.
    return squeeze(message["Subject"])


def text_of(mailbox, message):
    return squeeze(mailbox.text(message))


def block(account):
    """Three wrong passwords, from a browser of their own."""
    browser = Client()
    for _ in range(settings.MAX_FAILED_LOGINS):
        log_in(browser, account.identifiant, WRONG_PASSWORD)
    account.refresh_from_db()
    assert account.is_blocked


def unblock_link(mailbox, message):
    [link] = [link for link in mailbox.links(message) if "/debloquer/" in link]
    return link


# A secondary account: its compte principal is told


def test_the_primary_account_gets_a_link_to_unblock_a_blocked_secondary_account(
    mailbox, primary_account, secondary_account
):
    block(secondary_account)

    [message] = mailbox.to(primary_account.email)
    assert subject_of(message) == "SIGMA - Blocage du compte de Madame NOM TEST COMPTE PRENOM TEST COMPTE"
    text = text_of(mailbox, message)
    assert (
        "Le compte secondaire de Madame NOM TEST COMPTE PRENOM TEST COMPTE (identifiant test.identifiant) "
        "de l’organisme de formation ORGANISME TEST PRF 23 (SIRET 12345678913000) a été bloqué "
        "suite à 3 tentatives de connexion infructueuses."
    ) in text
    assert unblock_link(mailbox, message) == f"{BASE_URL}/organisme/comptes/{secondary_account.pk}/debloquer/"
    assert f'href="{BASE_URL}/organisme/comptes/{secondary_account.pk}/debloquer/"' in mailbox.html(message)
    assert not mailbox.to(REGION_EMAIL)


def test_the_blocked_secondary_user_is_told_to_contact_the_primary_account(mailbox, primary_account, secondary_account):
    block(secondary_account)

    [message] = mailbox.to(secondary_account.email)
    assert subject_of(message) == "SIGMA - Blocage de votre compte d’accès à l’application SIGMA"
    text = text_of(mailbox, message)
    assert (
        "Votre compte d’accès à l’application SIGMA (identifiant test.identifiant) a été bloqué "
        "suite à 3 tentatives de connexion infructueuses."
    ) in text
    assert (
        "Pour le débloquer, veuillez contacter le gestionnaire du compte principal de votre organisme : Madame BLA PAU."
    ) in text
    assert f"en générant un nouveau mot de passe à l’adresse suivante : {BASE_URL}/generation-mot-de-passe/" in text
    assert "/debloquer/" not in text


def test_the_primary_account_link_leads_it_to_the_unblock_confirmation(
    mailbox, client, page_of, primary_account, secondary_account, login_succeeds
):
    block(secondary_account)
    path = urlsplit(unblock_link(mailbox, mailbox.last_to(primary_account.email))).path

    # Followed from the mailbox, logged out: the login page leads back to it.
    to_login = client.get(path)
    assert urlsplit(to_login.url).path == "/connexion/"
    assert parse_qs(urlsplit(to_login.url).query)["next"] == [path]
    logged_in = log_in(client, primary_account.identifiant, PASSWORD, url=to_login.url)
    assert logged_in.url == path
    page = page_of(client.get(path))
    assert CONFIRMATION in page.text
    assert "Compte concerné : Madame NOM TEST COMPTE PRENOM TEST COMPTE (identifiant test.identifiant)." in page.text

    client.post(path)

    assert login_succeeds(secondary_account.identifiant, PASSWORD)


# The link leads to the Comptes utilisateurs pages: refused to whoever is not
# a primary account (403), not found for another organisme's (404).
@pytest.mark.parametrize(
    ("who", "status"), [("other_primary_account", 404), ("secondary colleague", 403), ("region_agent", 403)]
)
def test_the_primary_account_link_serves_no_one_else(
    request, mailbox, browser_of, primary_account, secondary_account, organisme, who, status
):
    block(secondary_account)
    path = urlsplit(unblock_link(mailbox, mailbox.last_to(primary_account.email))).path
    if who == "secondary colleague":
        visitor = UserFactory(organisme=organisme)
    else:
        visitor = request.getfixturevalue(who)

    response = browser_of(visitor).post(path)

    assert response.status_code == status
    secondary_account.refresh_from_db()
    assert secondary_account.is_blocked


# A primary account: the Région is told


def test_the_region_gets_a_link_to_unblock_a_blocked_primary_account(mailbox, primary_account, secondary_account):
    block(primary_account)

    [message] = mailbox.to(REGION_EMAIL)
    assert subject_of(message) == "SIGMA - Blocage du compte de Madame BLA PAU"
    text = text_of(mailbox, message)
    assert (
        "Le compte principal de Madame BLA PAU (identifiant 66bdj5zw4x) de l’organisme de formation "
        "ORGANISME TEST PRF 23 (SIRET 12345678913000) a été bloqué suite à 3 tentatives de connexion infructueuses."
    ) in text
    assert unblock_link(mailbox, message) == f"{BASE_URL}/region/comptes/{primary_account.pk}/debloquer/"
    assert not mailbox.to(secondary_account.email)


def test_the_blocked_primary_user_is_told_to_contact_the_region(mailbox, primary_account):
    block(primary_account)

    text = text_of(mailbox, mailbox.last_to(primary_account.email))
    assert f"Pour le débloquer, veuillez contacter la Région Occitanie à l’adresse {REGION_EMAIL}." in text
    assert f"{BASE_URL}/generation-mot-de-passe/" in text


def test_the_region_link_leads_an_agent_to_the_unblock_confirmation(
    mailbox, client_of, page_of, primary_account, region_agent, login_succeeds
):
    block(primary_account)
    path = urlsplit(unblock_link(mailbox, mailbox.last_to(REGION_EMAIL))).path
    agent = client_of(region_agent)

    page = page_of(agent.get(path))
    assert CONFIRMATION in page.text
    assert "Compte concerné : Madame BLA PAU (identifiant 66bdj5zw4x)." in page.text
    agent.post(path)

    assert login_succeeds(primary_account.identifiant, PASSWORD)


def test_the_region_link_serves_no_organisme_account(mailbox, browser_of, primary_account, other_primary_account):
    block(primary_account)
    path = urlsplit(unblock_link(mailbox, mailbox.last_to(REGION_EMAIL))).path

    assert browser_of(other_primary_account).post(path).status_code == 403
    primary_account.refresh_from_db()
    assert primary_account.is_blocked


# Starts manage.py in a process of its own, with its own environment.
@pytest.mark.slow
@pytest.mark.parametrize(
    ("environment", "address"),
    [({}, "sigma@laregion.fr"), ({"SIGMA_REGION_EMAIL": "comptes@laregion.fr"}, "comptes@laregion.fr")],
)
def test_the_region_address_defaults_to_the_guide_one(environment, address):
    shown = "from django.conf import settings; print(settings.SIGMA_REGION_EMAIL)"
    environment = {"SIGMA_ENV": "test", **environment}

    result = manage("shell", "--no-imports", "-c", shown, **environment)

    assert result.stdout.strip() == address, result.stderr


# When the compte principal cannot unblock


@pytest.mark.parametrize("state", ["deactivated", "blocked"])
def test_the_region_is_told_when_the_primary_account_cannot_log_in_either(
    mailbox, primary_account, secondary_account, state
):
    User.objects.filter(pk=primary_account.pk).update(
        **({"is_active": False} if state == "deactivated" else {"is_blocked": True})
    )

    block(secondary_account)

    [message] = mailbox.to(REGION_EMAIL)
    assert unblock_link(mailbox, message) == f"{BASE_URL}/region/comptes/{secondary_account.pk}/debloquer/"
    assert "Le compte principal de l’organisme ne peut pas le débloquer actuellement" in text_of(mailbox, message)
    assert not mailbox.to(primary_account.email)
    user_text = text_of(mailbox, mailbox.last_to(secondary_account.email))
    assert f"veuillez contacter la Région Occitanie à l’adresse {REGION_EMAIL}" in user_text


def test_a_blocked_region_agent_is_told_to_generate_a_new_password(mailbox, region_agent):
    block(region_agent)

    assert not mailbox.to(REGION_EMAIL)
    [message] = mailbox.messages
    assert message["To"] == region_agent.email
    assert f"{BASE_URL}/generation-mot-de-passe/" in text_of(mailbox, message)


# Only when the account gets blocked


def test_nothing_is_sent_before_the_third_failure_nor_after(mailbox, primary_account, secondary_account):
    browser = Client()
    for _ in range(settings.MAX_FAILED_LOGINS - 1):
        log_in(browser, secondary_account.identifiant, WRONG_PASSWORD)
    assert mailbox.messages == []

    log_in(browser, secondary_account.identifiant, WRONG_PASSWORD)
    assert len(mailbox.messages) == 2

    for _ in range(3):
        log_in(browser, secondary_account.identifiant, WRONG_PASSWORD)
    log_in(browser, secondary_account.identifiant, PASSWORD)
    assert len(mailbox.messages) == 2


def test_an_unknown_identifiant_sends_nothing(mailbox, primary_account):
    browser = Client()
    for _ in range(settings.MAX_FAILED_LOGINS + 1):
        log_in(browser, "personne.inconnue", WRONG_PASSWORD)

    assert mailbox.messages == []


def test_an_account_blocked_again_after_being_unblocked_is_notified_again(
    mailbox, client_of, primary_account, secondary_account
):
    block(secondary_account)
    client_of(primary_account).post(f"/organisme/comptes/{secondary_account.pk}/debloquer/")

    block(secondary_account)

    assert len(mailbox.to(primary_account.email)) == 2
    assert len(mailbox.to(secondary_account.email)) == 2
