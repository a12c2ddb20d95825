"""What the login tells a blocked or deactivated account: one text whatever
the kind of account (the login never says which kind an identifiant is),
naming both ways out and linking to them."""

import html
import re

import pytest

from tests.accounts.login import log_in
from tests.factories import UserFactory

BLOCKED = (
    "Votre compte est bloqué suite à plusieurs tentatives de connexion infructueuses. Pour le débloquer "
    "vous-même, générez un nouveau mot de passe depuis Mot de passe oublié ?, ou demandez son déblocage au "
    "gestionnaire de votre compte. "
    "Un compte secondaire s’adresse au compte principal de son organisme ; le compte principal s’adresse à la "
    "Région, à sigma@laregion.fr (voir Contacts et assistance)."
)
DEACTIVATED = (
    "Votre compte est désactivé. Pour le faire réactiver, adressez-vous au gestionnaire de votre compte. "
    "Un compte secondaire s’adresse au compte principal de son organisme ; le compte principal s’adresse à la "
    "Région, à sigma@laregion.fr (voir Contacts et assistance). Une fois le compte réactivé, Mot de passe "
    "oublié ? vous permet d’en générer un nouveau si besoin."
)
LINKS = [
    '<a href="/generation-mot-de-passe/">Mot de passe oublié\u00a0?</a>',
    '<a href="/contacts/">Contacts et assistance</a>',
    '<a href="mailto:sigma@laregion.fr">sigma@laregion.fr</a>',
]


def error_text(response):
    """The error block as read, its links' text in the sentence."""
    block = re.search(r'<div[^>]*id="form-errors"[^>]*>(.*?)</div>', response.content.decode(), re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", block)).split())


@pytest.fixture(params=["primary", "secondary"])
def kind(request):
    return request.param


def refusal(client, password, **traits):
    account = UserFactory(identifiant="refuse", primary=traits.pop("kind") == "primary", **traits)
    response = log_in(client, account.identifiant, password)
    assert response.status_code == 200
    return response


def test_a_blocked_account_is_told_both_ways_out_whatever_its_kind(client, db, password, kind):
    response = refusal(client, password, kind=kind, blocked=True)

    assert error_text(response) == BLOCKED
    for link in LINKS:
        assert link in response.content.decode()


def test_a_deactivated_account_is_told_both_ways_out_whatever_its_kind(client, db, password, kind):
    response = refusal(client, password, kind=kind, deactivated=True)

    assert error_text(response) == DEACTIVATED
    for link in LINKS:
        assert link in response.content.decode()


def test_the_region_address_is_the_configured_one(client, db, password, settings):
    settings.SIGMA_REGION_EMAIL = "comptes-sigma@laregion.fr"

    response = refusal(client, password, kind="primary", blocked=True)

    assert re.search(r'<a href="mailto:comptes-sigma@laregion.fr">comptes-sigma@laregion.fr</a>', response.text)
