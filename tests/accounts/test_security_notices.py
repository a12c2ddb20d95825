"""Security notices (ASVS 2.2.3): when what protects an account changes, its
user gets an e-mail saying what, when, from which address, and what to do if
it was not them; never a secret or a link that signs in. Each test reads the
e-mail the outbox delivered to the tests' SMTP server."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts import services, two_factor
from accounts.security_notices import SecurityEvent, notify_security_event
from tests.accounts.login import log_in
from tests.factories import PASSWORD
from tests.two_factor import enrol, log_in_verified, totp_code

BASE_URL = "https://sigma.laregion.fr"
DISABLE = "/mon-compte/double-authentification/desactivation/"
SUBJECT = "SIGMA - Alerte de sécurité sur votre compte"
NEW_PASSWORD = "Garonne-Canal-2026!"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SIGMA_BASE_URL = BASE_URL


def notice_to(mailbox, address):
    """The one security notice `address` received, as its reader sees it."""
    [message] = [message for message in mailbox.to(address) if message["Subject"] == SUBJECT]
    return message, " ".join(mailbox.text(message).split())


def assert_says_what_to_do_and_holds_no_secret(mailbox, message, text, *, ip):
    assert f"Depuis l’adresse IP : {ip}" in text
    assert f"Date : le {timezone.localtime():%d/%m/%Y à }" in text
    assert "« Mot de passe oublié »" in text
    assert mailbox.links(message) == [f"{BASE_URL}/generation-mot-de-passe/", f"{BASE_URL}/contacts/"]
    assert NEW_PASSWORD not in text
    assert PASSWORD not in text


def change_credentials(browser, identifiant):
    return browser.post(
        "/mon-compte/modifications/",
        {
            "identifiant": identifiant,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        },
    )


@pytest.fixture
def browser(mailbox, secondary_account):
    browser = Client(REMOTE_ADDR="192.0.2.44")
    assert log_in(browser, "test.identifiant", PASSWORD).url == "/"
    return browser


def test_a_password_change_is_told_to_the_account(browser, mailbox):
    assert change_credentials(browser, "test.identifiant").status_code == 302

    message, text = notice_to(mailbox, "aa1@aa.fr")

    assert "Votre mot de passe a été modifié." in text
    assert "Compte : test.identifiant" in text
    # French typography: a no-break space before the colon.
    assert "Depuis l’adresse IP\u00a0: 192.0.2.44" in mailbox.text(message)
    assert_says_what_to_do_and_holds_no_secret(mailbox, message, text, ip="192.0.2.44")


def test_an_identifiant_change_is_told_too(browser, mailbox):
    assert change_credentials(browser, "nouvel.identifiant").status_code == 302

    texts = [" ".join(mailbox.text(message).split()) for message in mailbox.to("aa1@aa.fr")]

    assert sum("Votre identifiant a été modifié." in text for text in texts) == 1
    assert sum("Votre mot de passe a été modifié." in text for text in texts) == 1


def test_choosing_the_first_password_after_a_one_time_link_sends_no_notice(client_by_link, secondary_account, mailbox):
    browser = client_by_link(secondary_account)
    before = len(mailbox.to("aa1@aa.fr"))

    browser.post(
        "/mon-compte/modifications/",
        {"identifiant": "test.identifiant", "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD},
    )

    assert len(mailbox.to("aa1@aa.fr")) == before


def test_turning_the_second_factor_on_is_told(mailbox, secondary_account):
    browser = log_in_verified(Client(REMOTE_ADDR="192.0.2.45"), secondary_account)

    enrol(browser)
    message, text = notice_to(mailbox, "aa1@aa.fr")

    assert "La double authentification a été activée sur votre compte." in text
    assert_says_what_to_do_and_holds_no_secret(mailbox, message, text, ip="192.0.2.45")


def test_turning_the_second_factor_off_is_told(mailbox, secondary_account):
    browser = log_in_verified(Client(REMOTE_ADDR="192.0.2.46"), secondary_account)
    key, _codes = enrol(browser)

    browser.post(DISABLE, {"desactiver-code": totp_code(key, steps_from_now=1)})

    texts = [" ".join(mailbox.text(message).split()) for message in mailbox.to("aa1@aa.fr")]
    assert not two_factor.has_second_factor(secondary_account)
    assert any("La double authentification a été désactivée sur votre compte." in text for text in texts)


def test_a_reset_of_the_second_factor_by_the_manager_is_told(mailbox, primary_account, secondary_account):
    secondary_account_browser = log_in_verified(Client(), secondary_account)
    enrol(secondary_account_browser)
    manager = log_in_verified(Client(REMOTE_ADDR="192.0.2.47"), primary_account)

    manager.post(f"/organisme/comptes/{secondary_account.pk}/reinitialiser-double-authentification/")

    texts = [" ".join(mailbox.text(message).split()) for message in mailbox.to("aa1@aa.fr")]
    [reset] = [text for text in texts if "réinitialisée" in text]
    assert "La double authentification de votre compte a été réinitialisée." in reset
    assert "Depuis l’adresse IP : 192.0.2.47" in reset


def test_sessions_ended_by_the_manager_are_told(browser, mailbox, primary_account):
    manager = log_in_verified(Client(REMOTE_ADDR="192.0.2.48"), primary_account)

    manager.post(f"/organisme/comptes/{browser.session['_auth_user_id']}/fermer-sessions/")

    message, text = notice_to(mailbox, "aa1@aa.fr")
    assert "Vos sessions ouvertes ont été fermées par une autre personne." in text
    assert_says_what_to_do_and_holds_no_secret(mailbox, message, text, ip="192.0.2.48")


def test_signing_out_one_s_own_other_sessions_sends_no_notice(browser, mailbox, secondary_account):
    browser.post("/mon-compte/sessions/fermeture-des-autres/")

    assert [message for message in mailbox.to("aa1@aa.fr") if message["Subject"] == SUBJECT] == []


# Events whose screens other work brings (the courriel change, passkeys): the
# notice they call.


def test_a_courriel_change_is_told_to_the_former_address(mailbox, secondary_account):
    notify_security_event(
        secondary_account, SecurityEvent.EMAIL_CHANGED, ip_address="192.0.2.49", to="ancienne@exemple.fr"
    )

    message, text = notice_to(mailbox, "ancienne@exemple.fr")
    assert "L’adresse de courriel de votre compte a été modifiée." in text
    assert mailbox.to("aa1@aa.fr") == []
    assert_says_what_to_do_and_holds_no_secret(mailbox, message, text, ip="192.0.2.49")


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        (SecurityEvent.PASSKEY_ADDED, "Une clé d’accès a été ajoutée à votre compte."),
        (SecurityEvent.PASSKEY_REMOVED, "Une clé d’accès a été retirée de votre compte."),
    ],
)
def test_a_passkey_added_or_removed_is_told(mailbox, secondary_account, event, sentence):
    notify_security_event(secondary_account, event, ip_address="192.0.2.50")

    message, text = notice_to(mailbox, "aa1@aa.fr")
    assert sentence in text
    assert_says_what_to_do_and_holds_no_secret(mailbox, message, text, ip="192.0.2.50")


def test_a_deleted_account_gets_no_notice(mailbox, primary_account, secondary_account):
    services.delete_account(secondary_account, acting_account=primary_account)

    notify_security_event(secondary_account, SecurityEvent.SESSIONS_ENDED, ip_address="192.0.2.51")

    assert [message for message in mailbox.messages if message["Subject"] == SUBJECT] == []
