"""Who may use Gestion organisme: "la gestion et la visualisation des comptes
secondaires ne peuvent s'effectuer qu'à partir du compte principal" (guide,
section 2), and only on its own organisme's secondary accounts.

Every Gestion organisme page, in GET and POST, against every kind of visitor.
A refused request must change nothing: the accounts are reloaded from the
database and compared, with the audit trail and the password links.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import IntegrityError, transaction
from django.urls import resolve
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.management_pages import ACCOUNT_ACTIONS
from accounts.models import AccountSession, User
from organisations import urls as organisations_urls
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

COMPTES = "/organisme/comptes/"
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


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # "{pk}" stands for the account acted on
    data: dict = field(default_factory=dict)

    @property
    def on_an_account(self):
        return "{pk}" in self.path

    @property
    def changes_something(self):
        """Whether a POST by the primary account changes something."""
        return self.name not in ("fiche", "comptes")

    def url(self, account):
        return self.path.format(pk=account.pk)


PAGES = [
    Page("fiche", "/organisme/fiche/"),
    Page("comptes", "/organisme/comptes/"),
    Page("creer", "/organisme/comptes/nouveau/", POSTED_ACCOUNT),
    Page("modifier", "/organisme/comptes/{pk}/modifier/", POSTED_ACCOUNT),
    *(Page(action, f"/organisme/comptes/{{pk}}/{action}/") for action in ACTIONS),
    Page("proposer", "/organisme/comptes/{pk}/proposer-compte-principal/"),
]
# Annuler la proposition acts on a handover proposal, not on an account: who may
# use it is tested in test_handover_pages.py. Requiring the second factor acts on
# the organisme only, POST only: test_two_factor_requirement.py. The export and the
# creation of accounts by file: test_account_list_tools.py, test_account_import.py
# and the access matrix.
TESTED_ELSEWHERE = {
    "handover_cancel",
    "two_factor_requirement",
    "account_export",
    "account_import",
    "account_import_confirm",
}
ACCOUNT_PAGES = [page for page in PAGES if page.on_an_account]


def requests_on(pages):
    return [
        pytest.param(page, method, id=f"{method.upper()} {page.name}") for page in pages for method in ("get", "post")
    ]


@pytest.fixture
def ready_for(page):
    """`ready_for(account)`: `account` in the state `page`'s action applies to
    (blocked for débloquer, deactivated for activer), so that a refusal cannot
    be mistaken for "nothing to do"."""

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
def target(ready_for, secondary_account):
    """This organisme's secondary account that the request is about."""
    return ready_for(secondary_account)


@pytest.fixture
def send(page, method):
    """`send(browser, account)`: the request of the test (`page`, `method`) about `account`."""

    def request(browser, account):
        if method == "get":
            return browser.get(page.url(account))
        return browser.post(page.url(account), page.data)

    return request


@pytest.fixture
def colleague(organisme):
    """Another secondary account of the same organisme."""
    return UserFactory(organisme=organisme, identifiant="collegue.meme.of")


# The compte principal of the organisme


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
def test_primary_account_uses_every_gestion_organisme_page(
    page, method, send, target, client_of, primary_account, stored_state
):
    browser = client_of(primary_account)
    before = stored_state()

    response = send(browser, target)

    if method == "post" and page.changes_something:
        assert (response.status_code, response.url) == (302, COMPTES)
        assert stored_state() != before
    else:
        assert response.status_code == 200
        assert stored_state() == before


# Everyone else


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
def test_secondary_account_of_the_same_organisme_is_refused(
    page, method, send, target, colleague, client_of, stored_state
):
    browser = client_of(colleague)
    before = stored_state()

    response = send(browser, target)

    assert response.status_code == 403
    assert stored_state() == before


# A blocked or deactivated account cannot be logged in to ask for débloquer or activer.
@pytest.mark.parametrize(
    ("page", "method"), requests_on(page for page in PAGES if page.name not in ("debloquer", "activer"))
)
def test_secondary_account_is_refused_even_about_itself(page, method, send, target, client_of, stored_state):
    browser = client_of(target)
    before = stored_state()

    response = send(browser, target)

    assert response.status_code == 403
    assert stored_state() == before


@pytest.mark.parametrize(("page", "method"), requests_on(PAGES))
def test_region_agent_is_refused_for_now(page, method, send, target, region_agent, client_of, stored_state):
    browser = client_of(region_agent)
    before = stored_state()

    response = send(browser, target)

    assert response.status_code == 403
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


@pytest.mark.parametrize(("page", "method"), requests_on(ACCOUNT_PAGES))
def test_another_organisme_primary_account_cannot_touch_this_organisme_accounts(
    page, method, send, target, other_primary_account, client_of, stored_state
):
    browser = client_of(other_primary_account)
    before = stored_state()

    response = send(browser, target)

    assert response.status_code == 404
    assert stored_state() == before


# Forged addresses


@pytest.fixture(params=["own primary", "other organisme secondary", "deleted secondary", "region agent", "nobody"])
def forged(request, ready_for, primary_account, other_secondary_account, organisme, region_agent):
    """An account the primary account does not manage, though its pk may be typed in an address."""
    if request.param == "own primary":
        # Left as it is: blocking or deactivating it would end the session.
        return primary_account
    if request.param == "other organisme secondary":
        return ready_for(other_secondary_account)
    if request.param == "deleted secondary":
        return ready_for(UserFactory(organisme=organisme, deleted_at=timezone.now()))
    if request.param == "region agent":
        return ready_for(region_agent)
    return User(pk=999_999)


@pytest.mark.parametrize(("page", "method"), requests_on(ACCOUNT_PAGES))
def test_primary_account_cannot_reach_an_account_it_does_not_manage_by_forging_the_address(
    page, method, send, forged, client_of, primary_account, stored_state
):
    browser = client_of(primary_account)
    before = stored_state()

    response = send(browser, forged)

    assert response.status_code == 404
    assert stored_state() == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("action", ["bloquer", "effacer", "REGENERER", "supprimer-definitivement", "modifier-mdp"])
def test_unknown_action_names_are_not_found(
    action, method, client_of, primary_account, secondary_account, stored_state
):
    browser = client_of(primary_account)
    before = stored_state()

    response = getattr(browser, method)(f"{COMPTES}{secondary_account.pk}/{action}/")

    assert response.status_code == 404
    assert stored_state() == before


def test_another_organisme_primary_account_sees_only_its_own_organisme(
    client_of, page_of, other_primary_account, other_secondary_account, secondary_account
):
    browser = client_of(other_primary_account)

    for path in ("/organisme/fiche/", COMPTES):
        text = page_of(browser.get(path)).text
        assert "FORMATIONS DU MIDI" in text
        assert "ORGANISME TEST PRF 23" not in text
        assert secondary_account.identifiant not in text
    assert page_of(browser.get(COMPTES)).column("Identifiant") == [other_secondary_account.identifiant]


def test_a_created_account_belongs_to_the_creator_organisme_whatever_the_form_claims(
    client_of, other_primary_account, organisme
):
    client_of(other_primary_account).post(
        "/organisme/comptes/nouveau/",
        POSTED_ACCOUNT | {"organisme": organisme.pk, "kind": "primary", "identifiant": "choisi"},
    )

    created = User.objects.get(email="pirate@exemple.fr")
    assert created.organisme == other_primary_account.organisme
    assert created.kind == User.Kind.SECONDARY
    assert created.identifiant != "choisi"
    assert not organisme.accounts.filter(email="pirate@exemple.fr").exists()


def test_modifying_an_account_changes_only_what_the_window_shows(
    client_of, primary_account, secondary_account, other_organisme
):
    client_of(primary_account).post(
        f"{COMPTES}{secondary_account.pk}/modifier/",
        POSTED_ACCOUNT
        | {"organisme": other_organisme.pk, "kind": "primary", "identifiant": "choisi", "is_blocked": "on"},
    )

    secondary_account.refresh_from_db()
    assert secondary_account.last_name == "PIRATE"
    assert secondary_account.organisme == primary_account.organisme
    assert secondary_account.kind == User.Kind.SECONDARY
    assert secondary_account.identifiant == "test.identifiant"
    assert not secondary_account.is_blocked


def test_the_matrix_covers_every_gestion_organisme_url_and_action(primary_account):
    assert {pattern.name for pattern in organisations_urls.urlpatterns} == {
        "organisme_detail",
        "account_list",
        "account_create",
        "account_update",
        "account_action",
        "handover_propose",
        "handover_cancel",
        "two_factor_requirement",
        "account_export",
        "account_import",
        "account_import_confirm",
    }
    assert set(ACCOUNT_ACTIONS) == set(ACTIONS)
    assert {resolve(page.url(primary_account)).url_name for page in PAGES} | TESTED_ELSEWHERE == {
        pattern.name for pattern in organisations_urls.urlpatterns
    }


# In the database: one compte principal per organisme


def _is_the_one_primary_constraint(error):
    # PostgreSQL names the constraint; SQLite names the column of its unique index.
    message = str(error.value)
    return "one_primary_account_per_organisme" in message or "accounts_user.organisme_id" in message


def test_an_organisme_cannot_have_two_primary_accounts(primary_account, organisme):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        UserFactory(primary=True, organisme=organisme)

    assert _is_the_one_primary_constraint(error)
    assert organisme.accounts.filter(kind=User.Kind.PRIMARY).count() == 1


def test_a_secondary_account_cannot_become_a_second_primary_account(primary_account, secondary_account):
    secondary_account.kind = User.Kind.PRIMARY

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        secondary_account.save()

    assert _is_the_one_primary_constraint(error)


def test_a_primary_account_cannot_be_deleted_before_handing_over_its_role(primary_account, organisme, region_agent):
    with pytest.raises(ValueError):
        services.delete_account(primary_account, acting_account=region_agent)

    primary_account.refresh_from_db()
    assert not primary_account.is_deleted
    assert organisme.primary_account == primary_account


def test_each_organisme_has_its_own_primary_account_and_many_secondary_ones(
    primary_account, other_primary_account, organisme
):
    UserFactory.create_batch(3, organisme=organisme)

    assert organisme.primary_account == primary_account
    assert other_primary_account.organisme.primary_account == other_primary_account
