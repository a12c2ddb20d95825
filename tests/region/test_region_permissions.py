"""Who may use the Espace Région: Region agents only, on organisme accounts only.

Every Espace Région page, in GET and POST, against every kind of visitor. A
refused request must change nothing: the accounts are reloaded from the
database and compared, with the audit trail and the password links.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import resolve
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management_pages import ACCOUNT_ACTIONS
from accounts.models import AccountSession, User
from organisations.models import Organisme
from region import urls as region_urls
from tests.factories import UserFactory

# The guide's world, made once for this file's hundreds of tests (tests/guide_world.py).
from tests.guide_world import (  # noqa: F401 (fixtures, standing in for conftest's here)
    browser_of,
    client_of,
    organisme,
    other_organisme,
    other_primary_account,
    other_secondary_account,
    primary_account,
    region_agent,
    secondary_account,
    world,
    world_of_this_module,
)

ACTIONS = (
    "regenerer",
    "supprimer",
    "debloquer",
    "desactiver",
    "activer",
    "reinitialiser-double-authentification",
    "fermer-sessions",
)
# "version": the modify window posts the version it showed; every target is fresh, at 1.
POSTED_ACCOUNT = {
    "civilite": "monsieur",
    "last_name": "PIRATE",
    "first_name": "Jean",
    "email": "pirate@exemple.fr",
    "version": 1,
}
POSTED_ORGANISME = {"raison_sociale": "PIRATE FORMATION", "siret": "73282932000074", **POSTED_ACCOUNT}
# Tested with the primary-role handover, and with the training pages
# (tests/region/test_training_pages.py), by their own suites.
OTHER_SUITES = {"hand_over"} | {
    "training_action_list",
    "training_action_create",
    "training_action_detail",
    "training_announce_seats",
    "training_invoice_create",
    "training_invoice_status",
    "training_action_update",
    "training_action_close",
    "training_action_reopen",
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # "{pk}" stands for the account acted on, "{organisme}" for its organisme
    data: dict = field(default_factory=dict)

    @property
    def on_an_account(self):
        return "{pk}" in self.path

    @property
    def on_an_organisme(self):
        return "{organisme}" in self.path

    @property
    def changes_something(self):
        """Whether a POST by an agent changes something."""
        return self.name not in ("recherche", "organisme")

    def url(self, account, organisme=None):
        if self.on_an_organisme:
            return self.path.format(organisme=(organisme or account.organisme).pk)
        return self.path.format(pk=account.pk)


PAGES = [
    Page("recherche", "/region/"),
    Page("organisme", "/region/organismes/{organisme}/"),
    Page("creer organisme", "/region/organismes/nouveau/", POSTED_ORGANISME),
    Page("creer compte", "/region/organismes/{organisme}/comptes/nouveau/", POSTED_ACCOUNT),
    Page("modifier", "/region/comptes/{pk}/modifier/", POSTED_ACCOUNT),
    *(Page(action, f"/region/comptes/{{pk}}/{action}/") for action in ACTIONS),
]
ACCOUNT_PAGES = [page for page in PAGES if page.on_an_account]
ORGANISME_PAGES = [page for page in PAGES if page.on_an_organisme]


def requests_on(pages):
    return [
        pytest.param(page, method, id=f"{method.upper()} {page.name}") for page in pages for method in ("get", "post")
    ]


@pytest.fixture
def ready_for(page):
    """`ready_for(account)`: `account` in the state `page`'s action applies to, so
    that a refusal cannot be mistaken for "nothing to do"."""

    def prepare(account):
        if page.name == "debloquer":
            User.objects.filter(pk=account.pk).update(is_blocked=True, failed_login_count=3)
        elif page.name == "activer":
            User.objects.filter(pk=account.pk).update(is_active=False)
        elif page.name == "reinitialiser-double-authentification":
            TOTPDevice.objects.create(user=account, confirmed=True)
        elif page.name == "fermer-sessions":
            AccountSession.objects.create(account=account, key_digest="0" * 64, sign_in_method="password")
        account.refresh_from_db()
        return account

    return prepare


@pytest.fixture
def target(ready_for, primary_account, secondary_account):
    """The secondary account the request is about (its organisme has its primary account)."""
    return ready_for(secondary_account)


@pytest.fixture
def send(page, method):
    """`send(browser, account)`: the request of the test (`page`, `method`) about `account`."""

    def request(browser, account, organisme=None):
        if method == "get":
            return browser.get(page.url(account, organisme))
        return browser.post(page.url(account, organisme), page.data)

    return request


# Region agents


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
def test_region_agent_uses_every_espace_region_page(page, method, send, target, agent, organisme, stored_state):
    before = stored_state()
    organismes_before = Organisme.objects.count()

    response = send(agent, target)

    if method == "post" and page.changes_something:
        assert response.status_code == 302
        assert urlsplit(response.url).path.startswith("/region/organismes/")
        assert stored_state() != before
    else:
        assert response.status_code == 200
        assert stored_state() == before
        assert Organisme.objects.count() == organismes_before


@pytest.mark.parametrize(("page", "method"), requests_on(ACCOUNT_PAGES))
def test_region_agent_reaches_the_accounts_of_every_organisme(
    page, method, send, ready_for, agent, other_primary_account, other_secondary_account, stored_state
):
    before = stored_state()

    response = send(agent, ready_for(other_secondary_account))

    assert response.status_code == (302 if method == "post" else 200)
    if method == "post":
        assert response.url == f"/region/organismes/{other_secondary_account.organisme_id}/"
        assert stored_state() != before


# Everyone else


@pytest.fixture(params=["primary account", "secondary account", "other organisme primary account"])
def organisme_account(request, organisme, other_primary_account):
    """An organisme's account, with its own browser: none of them is a Region agent."""
    if request.param == "primary account":
        return organisme.primary_account
    if request.param == "secondary account":
        return UserFactory(organisme=organisme, identifiant="collegue.meme.of")
    return other_primary_account


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
def test_organisme_accounts_are_refused(page, method, send, target, organisme_account, browser_of, stored_state):
    browser = browser_of(organisme_account)
    before = stored_state()

    response = send(browser, target)

    assert response.status_code == 403
    assert stored_state() == before
    assert not Organisme.objects.filter(raison_sociale="PIRATE FORMATION").exists()


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
@pytest.mark.parametrize("state", ["deactivated", "blocked"])
def test_an_agent_who_can_no_longer_log_in_is_refused(
    page, method, send, target, region_agent, browser_of, stored_state, state
):
    browser = browser_of(region_agent)
    field = {"deactivated": "is_active", "blocked": "is_blocked"}[state]
    User.objects.filter(pk=region_agent.pk).update(**{field: state == "blocked"})
    before = stored_state()

    response = send(browser, target)

    # Its session ends at once (accounts.backends): it is sent to log in again.
    assert response.status_code == 302
    assert urlsplit(response.url).path == "/connexion/"
    assert stored_state() == before


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
def test_an_agent_with_a_temporary_password_must_first_choose_one(
    page, method, send, target, region_agent, browser_of, stored_state
):
    browser = browser_of(region_agent)
    User.objects.filter(pk=region_agent.pk).update(password_state=User.PasswordState.TEMPORARY)
    before = stored_state()

    response = send(browser, target)

    assert (response.status_code, response.url) == (302, "/mon-compte/modifications/")
    assert stored_state() == before


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
def test_anonymous_visitor_is_sent_to_the_login_page(page, method, send, target, client, stored_state):
    before = stored_state()

    response = send(client, target)

    assert response.status_code == 302
    login = urlsplit(response.url)
    assert login.path == "/connexion/"
    assert parse_qs(login.query)["next"] == [page.url(target)]
    assert stored_state() == before


# Forged addresses


@pytest.fixture(params=["region agent", "the agent itself", "deleted secondary", "nobody"])
def forged(request, ready_for, organisme, region_agent):
    """An account no agent manages, though its pk may be typed in an address."""
    if request.param == "region agent":
        return ready_for(UserFactory(region_agent=True, identifiant="autre.agent"))
    if request.param == "the agent itself":
        return region_agent
    if request.param == "deleted secondary":
        return ready_for(UserFactory(organisme=organisme, deleted_at=timezone.now()))
    return User(pk=999_999, organisme=organisme)


@pytest.mark.parametrize(("page", "method"), requests_on(ACCOUNT_PAGES))
def test_agent_cannot_reach_an_account_it_does_not_manage_by_forging_the_address(
    page, method, send, forged, agent, stored_state
):
    before = stored_state()

    response = send(agent, forged)

    assert response.status_code == 404
    assert stored_state() == before


@pytest.mark.parametrize(("page", "method"), requests_on(ORGANISME_PAGES))
def test_an_unknown_organisme_is_not_found(page, method, send, target, agent, stored_state):
    before = stored_state()

    response = send(agent, target, Organisme(pk=999_999))

    assert response.status_code == 404
    assert stored_state() == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("action", ["bloquer", "effacer", "REGENERER", "supprimer-definitivement", "transferer"])
def test_unknown_action_names_are_not_found(action, method, agent, secondary_account, stored_state):
    before = stored_state()

    response = getattr(agent, method)(f"/region/comptes/{secondary_account.pk}/{action}/")

    assert response.status_code == 404
    assert stored_state() == before


def test_a_created_account_belongs_to_the_organisme_of_the_address_whatever_the_form_claims(
    agent, organisme, other_organisme
):
    agent.post(
        f"/region/organismes/{organisme.pk}/comptes/nouveau/",
        POSTED_ACCOUNT | {"organisme": other_organisme.pk, "kind": "primary", "identifiant": "choisi"},
    )

    created = User.objects.get(email="pirate@exemple.fr")
    assert (created.organisme, created.kind) == (organisme, User.Kind.SECONDARY)
    assert created.identifiant != "choisi"


def test_the_matrix_covers_every_espace_region_url_and_action(secondary_account):
    names = {pattern.name for pattern in region_urls.urlpatterns} - OTHER_SUITES
    assert names == {
        "search",
        "organisme_detail",
        "organisme_create",
        "account_create",
        "account_update",
        "account_action",
    }
    assert set(ACCOUNT_ACTIONS) == set(ACTIONS)
    assert {resolve(page.url(secondary_account)).url_name for page in PAGES} == names
