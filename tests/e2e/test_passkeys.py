"""Passkeys end to end: Chromium with its virtual authenticator (DevTools'
WebAuthn domain, through Playwright's CDP session), as a person with a
fingerprint reader would use them, through static/js/passkeys.js."""

import re
from urllib.parse import urlsplit

from accounts.models import User
from passkeys.models import Passkey
from tests.e2e.steps import log_in, message
from tests.factories import UserFactory
from tests.passkeys.virtual_authenticator import VirtualAuthenticator


def add_passkey(page, authenticator, name):
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Gérer les clés d’accès").click()
    page.get_by_role("link", name="Ajouter une clé d’accès").click()
    create_passkey(page, authenticator, name)


def create_passkey(page, authenticator, name):
    page.get_by_label("Nom de la clé d’accès").fill(name)
    authenticator.answering(True)
    page.get_by_role("button", name="Créer la clé d’accès").click()
    page.get_by_role("heading", name="Clés d’accès", exact=True).wait_for()
    authenticator.answering(False)


def sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Vous êtes déconnecté").wait_for()


def open_login_page_and_pick_the_passkey(page, authenticator):
    """The login page's identifiant field offers the passkeys (the conditional
    prompt): the virtual authenticator, holding one, answers it as a person
    picking it in the field's list. Nothing is typed."""
    # The page left behind (the login page after signing out) has its own
    # prompt waiting: it must not be the one answered, racing the navigation.
    page.unwrapped.goto("about:blank")
    authenticator.answering(True)
    # Unwatched until the prompt's answer has been sent: the page leaves by itself.
    page.unwrapped.goto("/connexion/")
    page.unwrapped.wait_for_url(lambda url: urlsplit(url).path != "/connexion/")
    page.unwrapped.wait_for_load_state()


def test_an_account_enrols_a_passkey_signs_out_and_signs_in_with_it_without_typing(
    open_browser, secondary_account, password
):
    page = open_browser()
    authenticator = VirtualAuthenticator(page.unwrapped)
    log_in(page, secondary_account.identifiant, password)

    add_passkey(page, authenticator, "PC du bureau")
    assert "La clé d’accès «\u00a0PC du bureau\u00a0» est ajoutée à votre compte." in message(page)
    assert page.get_by_role("row", name="PC du bureau").get_by_text("Jamais utilisée").is_visible()
    assert len(authenticator.credentials()) == 1

    sign_out(page)
    open_login_page_and_pick_the_passkey(page, authenticator)
    page.get_by_role("button", name="Se déconnecter").wait_for()
    assert urlsplit(page.url).path == "/"
    passkey = Passkey.objects.get(user=secondary_account)
    assert passkey.last_used_at is not None and passkey.sign_count >= 1


def test_a_region_agent_whose_only_second_factor_is_a_passkey_signs_in_with_it(open_browser, password, db):
    agent = UserFactory(region_agent=True, identifiant="agent.cle", second_factor=False)
    page = open_browser()
    authenticator = VirtualAuthenticator(page.unwrapped)
    # The first login sends the agent to enrol a second factor: a passkey, instead of an app.
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(agent.identifiant)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.get_by_role("heading", name="Activer la double authentification").wait_for()
    page.get_by_role("link", name="Ajouter une clé d’accès").click()
    create_passkey(page, authenticator, "Ordinateur de l’agent")
    page.goto("/")
    assert urlsplit(page.url).path == "/"
    sign_out(page)

    # The password is then followed by the passkey, on the code page (its button).
    page.get_by_label("Identifiant").fill(agent.identifiant)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.get_by_role("heading", name="Authentification").wait_for()
    assert urlsplit(page.url).path == "/connexion/code/"
    authenticator.answering(True)
    page.get_by_role("button", name="Se connecter avec une clé d’accès").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()
    assert urlsplit(page.url).path == "/"
    authenticator.answering(False)
    sign_out(page)

    # Or the passkey alone.
    open_login_page_and_pick_the_passkey(page, authenticator)
    page.get_by_role("button", name="Se déconnecter").wait_for()
    assert urlsplit(page.url).path == "/"


def test_a_blocked_accounts_passkey_is_refused(open_browser, secondary_account, password):
    page = open_browser()
    authenticator = VirtualAuthenticator(page.unwrapped)
    log_in(page, secondary_account.identifiant, password)
    add_passkey(page, authenticator, "Téléphone")
    sign_out(page)
    User.objects.filter(pk=secondary_account.pk).update(is_blocked=True)

    open_login_page_and_pick_the_passkey(page, authenticator)
    assert "Votre compte est bloqué" in page.locator("#passkey-error").inner_text()
    # The button, on the page that says why, is refused the same.
    page.get_by_role("button", name="Se connecter avec une clé d’accès").click()
    page.wait_for_load_state()
    assert "Votre compte est bloqué" in page.locator("#passkey-error").inner_text()
    authenticator.answering(False)
    # The refusal page is reloaded by the button's script: let it settle.
    page.wait_for_load_state("networkidle")
    page.goto("/")
    assert urlsplit(page.url).path == "/connexion/"


def test_a_removed_passkey_no_longer_signs_in(open_browser, secondary_account, password):
    page = open_browser()
    authenticator = VirtualAuthenticator(page.unwrapped)
    log_in(page, secondary_account.identifiant, password)
    add_passkey(page, authenticator, "Portable")
    page.get_by_role("link", name=re.compile(r"^Supprimer la clé .*Portable")).click()
    page.get_by_role("button", name="Supprimer la clé d’accès").click()
    assert "La clé d’accès «\u00a0Portable\u00a0» est supprimée de votre compte." in message(page)
    page.get_by_text("Aucune clé d’accès.").wait_for()
    sign_out(page)

    # The authenticator still holds it; sigma no longer knows it.
    assert len(authenticator.credentials()) == 1
    open_login_page_and_pick_the_passkey(page, authenticator)
    assert "n’est pas (ou plus) enregistrée dans SIGMA" in page.locator("#passkey-error").inner_text()
    assert not Passkey.objects.filter(user=secondary_account).exists()


def test_without_javascript_the_login_page_works_and_the_passkey_button_says_it_needs_it(
    open_browser, secondary_account, password
):
    page = open_browser(javascript=False)
    page.goto("/connexion/")
    assert page.get_by_role("button", name="Se connecter avec une clé d’accès").is_disabled()
    assert page.get_by_text("Cette connexion nécessite JavaScript").is_visible()
    log_in(page, secondary_account.identifiant, password)
    page.get_by_role("button", name="Se déconnecter").wait_for()
