"""Mes coordonnées (issue 17, point 8): every account corrects its own
civilité, nom d'usage, prénom and courriel; a new courriel takes effect only
once confirmed from the one-time link sent to it, and the old address is told."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import EmailChange, User
from audit.models import AuditEntry
from outbox.models import OutgoingEmail

COORDONNEES = "/mon-compte/coordonnees/"
CONFIRMATION = "/mon-compte/coordonnees/confirmation/"


def details(account, **changes):
    return {
        "civilite": account.civilite,
        "last_name": account.last_name,
        "first_name": account.first_name,
        "email": account.email,
        "version": account.version,
    } | changes


def confirmation_link(mailbox, address):
    (link,) = [url for url in mailbox.links(mailbox.last_to(address)) if "/coordonnees/confirmation/" in url]
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.fixture(params=["primary", "secondary"])
def account(request, primary_account, secondary_account):
    return primary_account if request.param == "primary" else secondary_account


def test_every_account_corrects_its_civilite_and_names(client_of, account, page_of):
    client = client_of(account)

    response = client.post(COORDONNEES, details(account, civilite="monsieur", last_name="DURAND", first_name="Léo"))

    account.refresh_from_db()
    assert (account.civilite, account.last_name, account.first_name) == ("monsieur", "DURAND", "Léo")
    assert "durand leo" in account.search_text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONTACT_DETAILS_CHANGED, account=account)
    assert entry.actor == account
    assert "Vos coordonnées ont bien été enregistrées." in page_of(client.get(response.url)).text


def test_a_new_courriel_waits_for_its_confirmation(client_of, secondary_account, mailbox, page_of):
    client = client_of(secondary_account)

    client.post(COORDONNEES, details(secondary_account, email="nouvelle@exemple.fr"))

    secondary_account.refresh_from_db()
    assert secondary_account.email == "aa1@aa.fr"
    message = mailbox.last_to("nouvelle@exemple.fr")
    assert "Confirmez votre nouvelle adresse de courriel" in message["Subject"]
    assert "expire dans 24 heures" in mailbox.text(message)
    page = page_of(client.get(COORDONNEES))
    assert "Un lien de confirmation a été envoyé à nouvelle@exemple.fr" in page.text
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.EMAIL_CHANGE_REQUESTED, account=secondary_account
    ).exists()


def test_the_link_confirms_the_address_once_and_tells_the_old_one(client_of, secondary_account, mailbox, page_of):
    client_of(secondary_account).post(COORDONNEES, details(secondary_account, email="nouvelle@exemple.fr"))
    link = confirmation_link(mailbox, "nouvelle@exemple.fr")
    browser = Client()

    opened = browser.get(link)
    assert opened.status_code == 302
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    assert "nouvelle@exemple.fr" in page_of(browser.get(opened.url)).text
    secondary_account.refresh_from_db()
    assert secondary_account.email == "aa1@aa.fr"
    browser.post(CONFIRMATION)

    secondary_account.refresh_from_db()
    assert secondary_account.email == "nouvelle@exemple.fr"
    assert "nouvelle" in secondary_account.search_text
    notice = mailbox.last_to("aa1@aa.fr")
    assert notice["Subject"] == "SIGMA - Alerte de sécurité sur votre compte"
    text = mailbox.text(notice)
    assert "L’adresse de courriel de votre compte a été modifiée." in text
    assert "Depuis l’adresse IP\xa0: 127.0.0.1" in text
    assert "Mot de passe oublié" in text
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EMAIL_CHANGED, account=secondary_account).exists()
    # Single use.
    assert Client().get(link).status_code == 404
    assert browser.post(CONFIRMATION).status_code == 404


def test_the_token_is_never_stored_in_clear(client_of, secondary_account, mailbox):
    client_of(secondary_account).post(COORDONNEES, details(secondary_account, email="nouvelle@exemple.fr"))
    token = confirmation_link(mailbox, "nouvelle@exemple.fr").rstrip("/").rsplit("/", 1)[-1]

    change = EmailChange.objects.get(user=secondary_account)
    assert change.token_digest == hashlib.sha256(token.encode()).hexdigest()
    for email in OutgoingEmail.objects.all():
        assert token not in email.text_body
        assert token not in email.html_body


def test_the_link_expires(client_of, secondary_account, mailbox, time_machine):
    client_of(secondary_account).post(COORDONNEES, details(secondary_account, email="nouvelle@exemple.fr"))
    link = confirmation_link(mailbox, "nouvelle@exemple.fr")

    time_machine.move_to(timezone.now() + timedelta(hours=24, minutes=1))

    assert Client().get(link).status_code == 404
    assert User.objects.get(pk=secondary_account.pk).email == "aa1@aa.fr"


def test_a_newer_request_kills_the_older_link(client_of, secondary_account, mailbox):
    client = client_of(secondary_account)
    client.post(COORDONNEES, details(secondary_account, email="premiere@exemple.fr"))
    first = confirmation_link(mailbox, "premiere@exemple.fr")
    secondary_account.refresh_from_db()

    client.post(COORDONNEES, details(secondary_account, email="seconde@exemple.fr"))

    assert Client().get(first).status_code == 404
    assert Client().get(confirmation_link(mailbox, "seconde@exemple.fr")).status_code == 302


def test_simultaneous_edits_lose_nothing(client_of, secondary_account, page_of):
    client = client_of(secondary_account)
    stale = details(secondary_account, last_name="PREMIER")
    client.post(COORDONNEES, details(secondary_account, first_name="Second"))

    response = client.post(COORDONNEES, stale)

    assert response.status_code == 200
    secondary_account.refresh_from_db()
    assert (secondary_account.last_name, secondary_account.first_name) == ("NOM TEST COMPTE", "Second")
    assert "Enregistrer mes valeurs" in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "pas-une-adresse", "Saisissez une adresse de courriel valide."),
        ("last_name", "", "Ce champ est obligatoire."),
        ("first_name", "Lé\u202eo", "caractère invisible"),
    ],
)
def test_bad_input_is_explained_next_to_its_field(client_of, secondary_account, field_errors, field, value, message):
    response = client_of(secondary_account).post(COORDONNEES, details(secondary_account, **{field: value}))

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field))
    assert User.objects.get(pk=secondary_account.pk).version == secondary_account.version


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    assert client.get(COORDONNEES).url.startswith("/connexion/")
