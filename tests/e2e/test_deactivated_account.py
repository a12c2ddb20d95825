"""Régénérer le mot de passe and a deactivated account, in the browser: not
offered while the account is deactivated (its e-mail would lead nowhere);
once the account is activated again, the regeneration's e-mail leads its user,
step by step, to a first login."""

import re
from urllib.parse import urlsplit

from tests.e2e.steps import log_in, message

NAME = "NOM TEST COMPTE PRENOM TEST COMPTE"
NEW_PASSWORD = "Quai-des-Peupliers-77"


def click_ok_on(page, link):
    page.goto("/organisme/comptes/")
    page.get_by_role("link", name=f"{link} {NAME}").click()
    page.get_by_role("button", name="OK").click()


def test_a_deactivated_account_is_regenerated_once_activated_and_its_user_follows_the_email(
    open_browser, mailbox, primary_account, secondary_account, password
):
    page = open_browser(javascript=False)
    log_in(page, primary_account.identifiant, password)
    click_ok_on(page, "Désactiver le compte")
    assert "a bien été désactivé" in message(page)
    assert page.get_by_role("link", name=f"Activer le compte {NAME}").is_visible()
    assert page.get_by_role("link", name=f"Régénérer le mot de passe {NAME}").count() == 0

    click_ok_on(page, "Activer le compte")
    click_ok_on(page, "Régénérer le mot de passe")
    assert "a bien été régénéré" in message(page)
    page.get_by_role("button", name="Se déconnecter").click()

    regeneration_email = mailbox.text(mailbox.last_to(secondary_account.email))
    assert "a été régénéré par le gestionnaire du compte principal" in regeneration_email
    generation_link = next(link for link in re.findall(r"https?://\S+", regeneration_email) if "generation" in link)
    page.goto(urlsplit(generation_link).path)
    page.get_by_label("Identifiant").fill(secondary_account.identifiant)
    page.get_by_label("Nom d’usage").fill("NOM TEST COMPTE")
    page.get_by_label("Prénom").fill("PRENOM TEST COMPTE")
    page.get_by_label("Courriel").fill(secondary_account.email)
    page.get_by_role("button", name="Valider").click()

    link_email = mailbox.text(mailbox.last_to(secondary_account.email))
    assert "reste valable" not in link_email
    one_time_link = next(link for link in re.findall(r"https?://\S+", link_email) if "/acces/" in link)
    page.goto(urlsplit(one_time_link).path)
    page.get_by_role("button", name="Continuer").click()
    assert "mot de passe temporaire" in page.locator("main").inner_text()
    page.get_by_label("Identifiant").fill("nom.test")
    page.get_by_label("Mot de passe *", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    assert message(page) == "Les modifications ont bien été enregistrées"

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "nom.test", NEW_PASSWORD)
    assert page.get_by_role("heading", name="Accueil").is_visible()
