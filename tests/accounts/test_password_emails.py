"""Every sentence of the password e-mails true for whoever receives them: a
new account, an account whose password was regenerated, a user who forgot
theirs. Each test reads the whole e-mail the test SMTP server received."""

import pytest

from accounts import services
from accounts.models import User

BASE_URL = "https://sigma.laregion.fr"
NB = "\u00a0"
SIGNATURE = "Vous remerciant de votre collaboration,\n\nLa Région Occitanie."
CNIL = (
    "La CNIL préconise des mots de passe avec au moins\u00a0: 12 caractères, des majuscules, des minuscules, des "
    "chiffres, des caractères spéciaux (!,?,',;,:,/,*)."
)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SIGMA_BASE_URL = BASE_URL


def read(mailbox, address):
    """The text of the last e-mail to `address`, as its reader sees it, and its links."""
    message = mailbox.last_to(address)
    return mailbox.text(message).replace("\r\n", "\n").rstrip(), mailbox.links(message)


def ask_for_a_link(client, account):
    client.post(
        "/generation-mot-de-passe/",
        {
            "identifiant": account.identifiant,
            "last_name": account.last_name,
            "first_name": account.first_name,
            "email": account.email,
        },
    )


def account_details(account):
    return (
        f"Identifiant{NB}: {account.identifiant}\nNom d’usage{NB}: {account.last_name}\n"
        f"Prénom{NB}: {account.first_name}\n"
        f"Mot de passe{NB}: Nous vous prions de cliquer sur le lien ci-après afin de générer votre mot de passe.\n\n"
        "En cliquant sur ce lien, vous devrez indiquer votre identifiant (indiqué ci-dessus), votre nom d’usage, "
        f"votre prénom et votre adresse de courriel{NB}: {BASE_URL}/generation-mot-de-passe/\n\n"
        "Une fois votre mot de passe généré, vous pourrez vous connecter à l’adresse suivante"
        f"{NB}: {BASE_URL}/connexion/"
    )


def link_email(account, link, *, ending, hours="1 heure"):
    return (
        "Une demande de réinitialisation du mot de passe de votre compte d’accès à l’application SIGMA a été "
        f"effectuée par la personne suivante{NB}:\n\n"
        f"Nom d’usage{NB}: {account.last_name}\n\nPrénom{NB}: {account.first_name}\n\nCourriel{NB}: {account.email}\n\n"
        f"Pour confirmer cette demande veuillez cliquer sur le lien suivant{NB}: {link}\n\n"
        f"Ce lien n’est utilisable qu’une seule fois et expire dans {hours}. Vous serez connecté avec un mot de passe "
        "temporaire et devrez choisir votre identifiant et votre mot de passe.\n\n"
        f"Si vous n’êtes pas à l’origine de cette demande, ignorez ce message{NB}: {ending}\n\n" + SIGNATURE
    )


NO_PASSWORD_YET = "votre compte n’a pas de mot de passe utilisable, et il n’en aura pas sans ce lien."
PASSWORD_KEPT = "votre mot de passe actuel reste valable."


def test_a_new_account_is_told_its_password_is_its_own_to_generate(client_of, client, mailbox, primary_account):
    client_of(primary_account).post(
        "/organisme/comptes/nouveau/",
        {"civilite": "madame", "last_name": "NOUVEAU COMPTE", "first_name": "Camille", "email": "aa@aa.fr"},
    )
    account = User.objects.get(email="aa@aa.fr")

    text, _ = read(mailbox, "aa@aa.fr")
    assert text == (
        f"Bonjour,\n\nVotre compte d’accès à l’application SIGMA a été créé{NB}:\n\n"
        + account_details(account)
        + f"\n\nL’identifiant a été créé automatiquement par l’application{NB}; votre mot de passe, vous le générez "
        "vous-même en suivant le lien ci-dessus.\n\n"
        f"Vous pourrez ensuite modifier votre identifiant et votre mot de passe dans la rubrique «{NB}Mon compte{NB}» "
        "depuis la page d’accueil de SIGMA.\n\n" + CNIL + "\n\n" + SIGNATURE
    )

    client.logout()
    ask_for_a_link(client, account)
    text, links = read(mailbox, "aa@aa.fr")
    assert text == link_email(account, links[0], ending=NO_PASSWORD_YET)


def test_a_regenerated_account_is_not_told_its_old_password_still_works(
    client, mailbox, primary_account, secondary_account
):
    services.regenerate_password(secondary_account, acting_account=primary_account)

    text, _ = read(mailbox, secondary_account.email)
    assert text == (
        "Bonjour,\n\nVotre compte d’accès à l’application SIGMA a été régénéré par le gestionnaire du compte "
        f"principal de votre organisme{NB}:\n\n"
        + account_details(secondary_account)
        + "\n\nVotre mot de passe précédent ne fonctionne plus.\n\n"
        f"Vous pouvez modifier vos codes en accédant à la rubrique «{NB}Mon compte{NB}» "
        "depuis la page d’accueil de SIGMA.\n\n" + CNIL + "\n\n" + SIGNATURE
    )

    ask_for_a_link(client, secondary_account)
    text, links = read(mailbox, secondary_account.email)
    assert text == link_email(secondary_account, links[0], ending=NO_PASSWORD_YET)


def test_a_forgotten_password_stays_valid_until_the_link_is_used(client, mailbox, secondary_account):
    ask_for_a_link(client, secondary_account)

    text, links = read(mailbox, secondary_account.email)
    assert text == link_email(secondary_account, links[0], ending=PASSWORD_KEPT)


def test_a_blocked_account_is_told_the_link_unblocks_it(client, mailbox, secondary_account):
    User.objects.filter(pk=secondary_account.pk).update(is_blocked=True, failed_login_count=3)

    ask_for_a_link(client, secondary_account)

    text, links = read(mailbox, secondary_account.email)
    assert text == link_email(secondary_account, links[0], ending=PASSWORD_KEPT).replace(
        "mot de passe.\n\n", f"mot de passe.\n\nVotre compte est bloqué{NB}: utiliser ce lien le débloquera.\n\n", 1
    )


@pytest.mark.parametrize(("seconds", "said"), [(3600, "expire dans 1 heure."), (24 * 3600, "expire dans 24 heures.")])
def test_the_links_lifetime_is_said_in_good_french(client, mailbox, secondary_account, settings, seconds, said):
    settings.PASSWORD_LINK_MAX_AGE_SECONDS = seconds

    ask_for_a_link(client, secondary_account)

    text, _ = read(mailbox, secondary_account.email)
    assert said in text
