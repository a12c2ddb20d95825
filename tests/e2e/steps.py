"""What a user does in the browser, shared by the end-to-end tests."""

from urllib.parse import urlsplit

from accounts.models import User
from tests.two_factor import code_of


def log_in(page, identifiant, password):
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()
    # Accounts with a second factor (every Region agent) then type their app's code.
    if urlsplit(page.url).path == "/connexion/code/":
        page.get_by_label("Code de vérification").fill(code_of(User.objects.get(identifiant=identifiant)))
        page.get_by_role("button", name="Valider").click()


def message(page):
    """The first message the page gives after an action (success, error, information)."""
    return page.locator(".message").first.inner_text()
