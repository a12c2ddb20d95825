"""The e-mails of the guide: French, plain text with an HTML alternative, links
built from settings.SIGMA_BASE_URL, sent only once the action is committed."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.db import transaction

from accounts import links, services
from accounts.models import PasswordLink, User
from outbox.models import OutgoingEmail
from tests.pages import squeeze

BASE_URL = "https://sigma.laregion.fr"
CNIL_ADVICE = (
    "La CNIL préconise des mots de passe avec au moins : 12 caractères, des majuscules, des minuscules, "
    "des chiffres, des caractères spéciaux"
)
SIGNATURE = "Vous remerciant de votre collaboration,\n\nLa Région Occitanie."


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SIGMA_BASE_URL = BASE_URL


def text_of(message):
    """The plain text as the reader sees it (SMTP carries CRLF line ends)."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def words(text):
    return squeeze(text)


# Each e-mail, sent as in the guide through HTTP; each returns the address it goes to.
# `extra` is passed to every request (e.g. a forged Host header).


def create_secondary_account(client, primary, secondary, **extra):
    client.force_login(primary)
    client.post(
        "/organisme/comptes/nouveau/",
        {"civilite": "madame", "last_name": "NOUVEAU COMPTE", "first_name": "Camille", "email": "aa@aa.fr"},
        **extra,
    )
    return "aa@aa.fr"


def request_password_link(client, primary, secondary, **extra):
    client.post(
        "/generation-mot-de-passe/",
        {
            "identifiant": secondary.identifiant,
            "last_name": secondary.last_name,
            "first_name": secondary.first_name,
            "email": secondary.email,
        },
        **extra,
    )
    return secondary.email


def regenerate_password(client, primary, secondary, **extra):
    client.force_login(primary)
    client.post(f"/organisme/comptes/{secondary.pk}/regenerer/", **extra)
    return secondary.email


def unblock_by_using_the_link(client, primary, secondary, **extra):
    User.objects.filter(pk=secondary.pk).update(is_blocked=True, failed_login_count=3)
    token = links.mint_token(links.issue_link(secondary))
    client.get(f"/acces/{token}/", **extra)
    client.post("/acces/", **extra)
    return primary.email


def remind_identifiant(client, primary, secondary, **extra):
    client.post(
        "/identifiant-oublie/",
        {"last_name": secondary.last_name, "first_name": secondary.first_name, "email": secondary.email},
        **extra,
    )
    return secondary.email


EVERY_EMAIL = pytest.mark.parametrize(
    "send",
    [
        create_secondary_account,
        request_password_link,
        regenerate_password,
        unblock_by_using_the_link,
        remind_identifiant,
    ],
    ids=["account created", "password link", "password regenerated", "unblocked by owner", "identifiant reminder"],
)


@pytest.fixture
def sent(client, mailbox, primary_account, secondary_account):
    """`sent(send, **extra)`: performs the action and returns the one e-mail it sent."""

    def perform(send, **extra):
        address = send(client, primary_account, secondary_account, **extra)
        [message] = mailbox.to(address)
        assert len(mailbox.messages) == 1
        return message

    return perform


def test_first_email_gives_the_identifiant_and_the_link_to_generate_the_password(sent, mailbox):
    message = sent(create_secondary_account)

    account = User.objects.get(email="aa@aa.fr")
    assert message["Subject"] == "SIGMA - Création de votre compte d’accès à l’application SIGMA"
    assert "NePasRepondre" in message["From"]
    text = text_of(message)
    assert text.startswith("Bonjour,\n\nVotre compte d’accès à l’application SIGMA a été créé :\n")
    assert (
        f"Identifiant : {account.identifiant}\nNom d’usage : NOUVEAU COMPTE\nPrénom : Camille\n"
        "Mot de passe : Nous vous prions de cliquer sur le lien ci-après afin de générer votre mot de passe."
    ) in text
    assert f"votre adresse de courriel : {BASE_URL}/generation-mot-de-passe/\n" in text
    assert f"vous pourrez vous connecter à l’adresse suivante : {BASE_URL}/connexion/\n" in text
    # The password is not created with the account: its user generates it (tests/accounts/test_password_emails.py).
    assert "L’identifiant a été créé automatiquement par l’application\u00a0; votre mot de passe, vous le" in text
    assert "modifier votre identifiant et votre mot de passe dans la rubrique «\u00a0Mon compte\u00a0»" in text
    assert CNIL_ADVICE in text
    assert SIGNATURE in text


def test_second_email_asks_to_confirm_with_the_one_time_link(sent, mailbox, secondary_account):
    message = sent(request_password_link)

    assert message["Subject"] == "SIGMA - Demande de réinitialisation de votre compte d’accès à l’application SIGMA"
    assert "NePasRepondre" in message["From"]
    text = text_of(message)
    assert text.startswith(
        "Une demande de réinitialisation du mot de passe de votre compte d’accès à l’application SIGMA "
        "a été effectuée par la personne suivante :"
    )
    assert "Nom d’usage : NOM TEST COMPTE\n\nPrénom : PRENOM TEST COMPTE\n\nCourriel : aa1@aa.fr" in text
    [link] = mailbox.links(message)
    assert f"Pour confirmer cette demande veuillez cliquer sur le lien suivant : {link}\n" in text
    assert link.startswith(f"{BASE_URL}/acces/")
    assert PasswordLink.objects.filter(user=secondary_account).exists()
    assert "utilisable qu’une seule fois et expire dans 1 heure" in text
    assert SIGNATURE in text


def test_regeneration_email_says_who_regenerated_the_account(sent, mailbox, secondary_account):
    message = sent(regenerate_password)

    assert message["Subject"] == "SIGMA - Régénération de votre compte d’accès à l’application SIGMA"
    text = text_of(message)
    assert (
        "Votre compte d’accès à l’application SIGMA a été régénéré par le gestionnaire du compte principal "
        "de votre organisme :"
    ) in text
    assert "Identifiant : test.identifiant\nNom d’usage : NOM TEST COMPTE\nPrénom : PRENOM TEST COMPTE\n" in text
    assert f"{BASE_URL}/generation-mot-de-passe/" in mailbox.links(message)
    assert CNIL_ADVICE in text
    assert SIGNATURE in text


def test_regeneration_by_the_region_says_so(mailbox, secondary_account, region_agent):
    services.regenerate_password(secondary_account, acting_account=region_agent)

    text = text_of(mailbox.last_to("aa1@aa.fr"))
    assert "Votre compte d’accès à l’application SIGMA a été régénéré par la région :" in text


def test_primary_account_is_told_when_a_blocked_secondary_account_is_unblocked_by_its_user(sent, mailbox):
    message = sent(unblock_by_using_the_link)

    assert message["Subject"] == "SIGMA - Déblocage d’un compte secondaire de votre organisme"
    text = text_of(message)
    assert (
        "Le compte secondaire de Madame NOM TEST COMPTE PRENOM TEST COMPTE (identifiant test.identifiant) "
        "était bloqué suite à plusieurs tentatives de connexion infructueuses."
    ) in text
    assert "vous pouvez désactiver ce compte" in text
    assert SIGNATURE in text


def test_identifiant_reminder_email_gives_the_identifiant_and_where_to_log_in(sent, mailbox):
    message = sent(remind_identifiant)

    assert message["Subject"] == "SIGMA - Rappel de votre identifiant"
    text = text_of(message)
    assert "Identifiant : test.identifiant\n" in text
    assert f"Vous pouvez vous connecter à l’adresse suivante : {BASE_URL}/connexion/\n" in text
    assert f"{BASE_URL}/generation-mot-de-passe/" in mailbox.links(message)
    assert SIGNATURE in text


@EVERY_EMAIL
def test_every_email_is_plain_text_with_an_html_alternative_saying_the_same(sent, mailbox, send):
    message = sent(send)

    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    html = html_of(message)
    assert '<html lang="fr">' in html
    body = re.search(r"<body[^>]*>(.*)</body>", html, re.S).group(1)
    assert words(unescape(re.sub(r"<[^>]+>", " ", body))) == words(text_of(message))
    for link in mailbox.links(message):
        assert f'<a href="{link}"' in html


@EVERY_EMAIL
def test_links_use_the_configured_address_never_the_host_of_the_request(sent, mailbox, settings, send):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]

    message = sent(send, HTTP_HOST="evil.example")

    assert "evil.example" not in text_of(message)
    assert "evil.example" not in html_of(message)
    links = mailbox.links(message)
    assert {f"{urlsplit(link).scheme}://{urlsplit(link).netloc}" for link in links} <= {BASE_URL}


def test_names_are_shown_as_typed_in_the_text_and_escaped_in_the_html(client_of, mailbox, primary_account):
    client_of(primary_account).post(
        "/organisme/comptes/nouveau/",
        {"civilite": "monsieur", "last_name": "D'ARC & <b>FILS</b>", "first_name": "Jean", "email": "aa@aa.fr"},
    )

    message = mailbox.last_to("aa@aa.fr")
    assert "Nom d’usage : D'ARC & <b>FILS</b>\n" in text_of(message)
    html = html_of(message)
    assert "<b>" not in html
    assert "D&#x27;ARC &amp; &lt;b&gt;FILS&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "action",
    [
        lambda secondary, primary: services.request_password_link(
            identifiant=secondary.identifiant,
            last_name=secondary.last_name,
            first_name=secondary.first_name,
            email=secondary.email,
        ),
        lambda secondary, primary: services.remind_identifiant(
            last_name=secondary.last_name, first_name=secondary.first_name, email=secondary.email
        ),
        lambda secondary, primary: services.regenerate_password(secondary, acting_account=primary),
        lambda secondary, primary: services.create_secondary_account(
            organisme=primary.organisme,
            acting_account=primary,
            civilite="madame",
            last_name="ANNULE",
            first_name="Compte",
            email="aa@aa.fr",
        ),
    ],
    ids=["password link", "identifiant reminder", "password regenerated", "account created"],
)
def test_no_email_leaves_when_the_action_is_rolled_back(mailbox, primary_account, secondary_account, action):
    with pytest.raises(RuntimeError), transaction.atomic():
        action(secondary_account, primary_account)
        raise RuntimeError("l’action échoue après coup")

    assert mailbox.messages == []
    assert not PasswordLink.objects.exists()
    secondary_account.refresh_from_db()
    assert secondary_account.password_state == User.PasswordState.CHOSEN
    assert not User.objects.filter(email="aa@aa.fr").exists()


def test_email_is_queued_with_the_action_and_leaves_once_it_is_committed(
    mailbox, primary_account, secondary_account, smtp_server
):
    with transaction.atomic():
        services.regenerate_password(secondary_account, acting_account=primary_account)
        assert OutgoingEmail.objects.get().to == "aa1@aa.fr"
        assert smtp_server.handler.messages == []

    assert len(mailbox.to("aa1@aa.fr")) == 1
