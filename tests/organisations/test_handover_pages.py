"""Handing the primary role over by proposal, through the screens: the primary
account proposes it from Comptes utilisateurs, the person it is offered to
accepts or declines it from their home page, and either side may cancel it
before then. Nobody else may act on a proposal."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts import handover, services
from accounts.models import HandoverProposal, User
from tests.accounts.login import is_logged_in
from tests.factories import UserFactory
from tests.pages import squeeze

HOME = "/"
COMPTES = "/organisme/comptes/"
HANDED_OVER = "Le rôle de compte principal de l’organisme ORGANISME TEST PRF 23 a bien été transféré à Monsieur GU Be."


def propose_url(account):
    return f"{COMPTES}{account.pk}/proposer-compte-principal/"


def accept_url(proposal):
    return f"/proposition-compte-principal/{proposal.pk}/accepter/"


def decline_url(proposal):
    return f"/proposition-compte-principal/{proposal.pk}/refuser/"


def home_cancel_url(proposal):
    return f"/proposition-compte-principal/{proposal.pk}/annuler/"


def comptes_cancel_url(proposal):
    return f"{COMPTES}proposition/{proposal.pk}/annuler/"


def post_forms(response):
    """The page's POST forms: {button text: (action, has a CSRF token)}."""
    forms = {}
    for action, body in re.findall(
        r'<form method="post" action="([^"]*)">(.*?)</form>', response.content.decode(), re.S
    ):
        button = re.search(r"<button[^>]*>(.*?)</button>", body, re.S).group(1)
        text = squeeze(unescape(re.sub(r"<[^>]+>", " ", button)))
        forms[text] = (action, "csrfmiddlewaretoken" in body)
    return forms


def primaries(organisme):
    return list(User.objects.filter(organisme=organisme, kind=User.Kind.PRIMARY, deleted_at=None))


@pytest.fixture
def successor(second_secondary_account):
    """Monsieur GU Be, the secondary account offered the role."""
    return second_secondary_account


@pytest.fixture
def manager(browser_of, primary_account):
    """The browser of the organisme's primary account, Mme BLA PAU."""
    return browser_of(primary_account)


@pytest.fixture
def proposal(primary_account, successor):
    return handover.propose_handover(proposed_to=successor, acting_account=primary_account)


# Comptes utilisateurs: proposing


def test_comptes_utilisateurs_offers_the_role_to_secondary_accounts_that_can_log_in(
    manager, page_of, organisme, successor
):
    UserFactory(organisme=organisme, last_name="DESACTIVE", first_name="Paul", deactivated=True)
    UserFactory(organisme=organisme, last_name="BLOQUE", first_name="Jean", blocked=True)

    page = page_of(manager.get(COMPTES))

    assert page.href("Proposer le rôle de compte principal GU Be") == propose_url(successor)
    assert not page.has_link("Proposer le rôle de compte principal DESACTIVE Paul")
    assert not page.has_link("Proposer le rôle de compte principal BLOQUE Jean")


def test_primary_account_proposes_the_role_after_confirming(mailbox, manager, page_of, primary_account, successor):
    confirmation = page_of(manager.get(propose_url(successor)))
    assert (
        "Êtes-vous sûr de vouloir proposer à Monsieur GU Be de devenir le compte principal de l’organisme ?"
        in confirmation.text
    )
    assert confirmation.href("Annuler") == COMPTES

    response = manager.post(propose_url(successor), follow=True)

    assert response.redirect_chain == [(COMPTES, 302)]
    assert (
        "Le rôle de compte principal de l’organisme ORGANISME TEST PRF 23 a bien été proposé à Monsieur GU Be."
        in page_of(response).text
    )
    stored = HandoverProposal.objects.get()
    assert (stored.proposed_by, stored.proposed_to) == (primary_account, successor)
    [message] = mailbox.to("aa@aa.fr")
    assert urlsplit(mailbox.links(message)[0]).path == HOME
    # Nothing changed yet.
    assert primaries(primary_account.organisme) == [primary_account]


def test_comptes_utilisateurs_shows_the_pending_proposal_and_cancels_it(
    mailbox, manager, page_of, proposal, primary_account
):
    response = manager.get(COMPTES)
    page = page_of(response)

    assert "Proposition du rôle de compte principal en attente" in page.text
    assert "à Monsieur GU Be de devenir le compte principal de l’organisme" in page.text
    assert not page.has_link("Proposer le rôle de compte principal")
    assert post_forms(response)["Annuler la proposition"] == (comptes_cancel_url(proposal), True)

    response = manager.post(comptes_cancel_url(proposal), follow=True)

    assert response.redirect_chain == [(COMPTES, 302)]
    assert "La proposition du rôle de compte principal à Monsieur GU Be a bien été annulée." in page_of(response).text
    assert not HandoverProposal.objects.exists()
    assert "a annulé sa proposition" in mailbox.text(mailbox.last_to("aa@aa.fr"))
    assert primaries(primary_account.organisme) == [primary_account]


def test_a_second_proposal_is_refused_while_one_is_pending(manager, page_of, proposal, secondary_account):
    response = manager.post(propose_url(secondary_account), follow=True)

    assert response.redirect_chain == [(COMPTES, 302)]
    assert "est déjà en attente pour cet organisme" in page_of(response).text
    assert list(HandoverProposal.objects.all()) == [proposal]


@pytest.mark.parametrize("state", ["deactivated", "blocked"])
def test_the_role_is_not_proposed_to_an_account_that_cannot_log_in(manager, page_of, organisme, state):
    account = UserFactory(organisme=organisme, **{state: True})

    shown = manager.get(propose_url(account), follow=True)
    posted = manager.post(propose_url(account), follow=True)

    assert "Cette action ne s’applique pas à ce compte dans son état actuel." in page_of(shown).text
    assert "ne peut être proposé qu’à un compte secondaire actif" in page_of(posted).text
    assert not HandoverProposal.objects.exists()


# Home page: answering


def test_proposed_person_sees_the_proposal_on_the_home_page(browser_of, page_of, proposal, successor):
    response = browser_of(successor).get(HOME)

    assert (
        "Madame BLA PAU vous propose de devenir le compte principal de l’organisme ORGANISME TEST PRF 23."
        in page_of(response).text
    )
    forms = post_forms(response)
    assert forms["Accepter"] == (accept_url(proposal), True)
    assert forms["Refuser"] == (decline_url(proposal), True)
    assert set(forms) == {"Accepter", "Refuser", "Se déconnecter"}


def test_proposed_person_accepts_and_manages_the_organisme(
    mailbox, browser_of, page_of, proposal, organisme, primary_account, successor
):
    browser, former_browser = browser_of(successor), browser_of(primary_account)
    successor_phone = browser_of(successor)

    response = browser.post(accept_url(proposal), follow=True)

    assert response.redirect_chain == [(HOME, 302)]
    page = page_of(response)
    assert HANDED_OVER in page.text
    assert page.has_link("Comptes utilisateurs")
    assert primaries(organisme) == [successor]
    assert User.objects.get(pk=primary_account.pk).kind == User.Kind.SECONDARY
    # The browser that accepted goes on; every other session of both accounts ends.
    assert browser.get(COMPTES).status_code == 200
    assert not is_logged_in(former_browser)
    assert not is_logged_in(successor_phone)
    assert {message["To"] for message in mailbox.messages} >= {"aa@aa.fr", primary_account.email}


def test_the_session_that_accepted_gets_a_new_key(browser_of, proposal, successor):
    browser = browser_of(successor)
    key_before = browser.session.session_key

    browser.post(accept_url(proposal))

    assert browser.session.session_key != key_before
    assert is_logged_in(browser)


def test_proposed_person_declines_from_the_home_page(
    mailbox, browser_of, page_of, proposal, primary_account, successor
):
    response = browser_of(successor).post(decline_url(proposal), follow=True)

    assert response.redirect_chain == [(HOME, 302)]
    assert "Vous avez refusé la proposition de Madame BLA PAU." in page_of(response).text
    assert not HandoverProposal.objects.exists()
    assert primaries(primary_account.organisme) == [primary_account]
    assert "a refusé votre proposition" in mailbox.text(mailbox.last_to(primary_account.email))


def test_proposer_sees_the_pending_proposal_on_the_home_page_and_cancels_it(manager, page_of, proposal):
    response = manager.get(HOME)
    assert "Vous avez proposé le" in page_of(response).text
    assert "à Monsieur GU Be de devenir le compte principal de l’organisme" in page_of(response).text
    assert post_forms(response)["Annuler la proposition"] == (home_cancel_url(proposal), True)

    response = manager.post(home_cancel_url(proposal), follow=True)

    assert response.redirect_chain == [(HOME, 302)]
    assert "La proposition du rôle de compte principal à Monsieur GU Be a bien été annulée." in page_of(response).text
    assert not HandoverProposal.objects.exists()


def test_nobody_else_sees_the_proposal(browser_of, page_of, proposal, secondary_account, region_agent):
    for someone_else in (secondary_account, region_agent):
        text = page_of(browser_of(someone_else).get(HOME)).text
        assert "compte principal de l’organisme" not in text
        assert "Accepter" not in text


def test_a_stale_proposal_can_only_be_declined(browser_of, page_of, proposal, primary_account, region_agent):
    services.deactivate_account(primary_account, acting_account=region_agent)

    response = browser_of(proposal.proposed_to).get(HOME)

    assert (
        "Cette proposition ne peut plus être acceptée : Madame BLA PAU n’est plus le compte principal actif "
        "de l’organisme." in page_of(response).text
    )
    assert set(post_forms(response)) == {"Refuser", "Se déconnecter"}


def test_accepting_a_stale_proposal_says_why_and_changes_nothing(
    browser_of, page_of, proposal, organisme, primary_account, region_agent
):
    browser = browser_of(proposal.proposed_to)
    services.deactivate_account(primary_account, acting_account=region_agent)

    response = browser.post(accept_url(proposal), follow=True)

    assert "Cette proposition n’est plus valable." in page_of(response).text
    assert primaries(organisme) == [primary_account]


def test_answers_need_the_csrf_token(proposal, primary_account, successor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(successor)

    assert browser.post(accept_url(proposal)).status_code == 403
    assert browser.post(decline_url(proposal)).status_code == 403
    assert primaries(primary_account.organisme) == [primary_account]
    assert HandoverProposal.objects.exists()


# Who may act on a proposal


ENDPOINTS = {
    "accepter": accept_url,
    "refuser": decline_url,
    "annuler (accueil)": home_cancel_url,
    "annuler (comptes)": comptes_cancel_url,
}
ALLOWED = {
    "accepter": "proposed person",
    "refuser": "proposed person",
    "annuler (accueil)": "proposer",
    "annuler (comptes)": "proposer",
}
ACTORS = [
    "proposer",
    "proposed person",
    "other secondary",
    "other organisme primary",
    "other organisme secondary",
    "region agent",
]


@pytest.fixture
def actor(
    request,
    primary_account,
    successor,
    secondary_account,
    other_primary_account,
    other_secondary_account,
    region_agent,
):
    return {
        "proposer": primary_account,
        "proposed person": successor,
        "other secondary": secondary_account,
        "other organisme primary": other_primary_account,
        "other organisme secondary": other_secondary_account,
        "region agent": region_agent,
    }[request.param]


def allowed_or_refused():
    return [
        pytest.param(endpoint, actor, actor == allowed, id=f"{endpoint} by {actor}")
        for endpoint, allowed in ALLOWED.items()
        for actor in ACTORS
    ]


@pytest.mark.parametrize(("endpoint", "actor", "allowed"), allowed_or_refused(), indirect=["actor"])
def test_only_the_right_side_acts_on_a_proposal(endpoint, actor, allowed, browser_of, proposal, stored_state):
    browser = browser_of(actor)
    before = stored_state()

    response = browser.post(ENDPOINTS[endpoint](proposal))

    if allowed:
        assert response.status_code == 302
        assert not HandoverProposal.objects.exists()
        assert stored_state() != before
    else:
        # The Comptes utilisateurs pages are a primary account's (403 for anyone
        # else); the proposal is found only within the actor's own reach (404).
        refused_role = endpoint == "annuler (comptes)" and not actor.is_primary
        assert response.status_code == (403 if refused_role else 404)
        assert HandoverProposal.objects.get() == proposal
        assert stored_state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_visitor_is_sent_to_the_login_page(endpoint, client, proposal, stored_state):
    before = stored_state()

    response = client.post(ENDPOINTS[endpoint](proposal))

    assert response.status_code == 302
    assert urlsplit(response.url).path == "/connexion/"
    assert stored_state() == before
    assert HandoverProposal.objects.exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_mere_link_changes_nothing(endpoint, browser_of, proposal, primary_account, successor, stored_state):
    browsers = [browser_of(account) for account in (primary_account, successor)]
    before = stored_state()

    for browser in browsers:
        assert browser.get(ENDPOINTS[endpoint](proposal)).status_code == 405

    assert stored_state() == before
    assert HandoverProposal.objects.exists()


@pytest.fixture
def other_organisme_proposal(other_primary_account, other_secondary_account):
    return handover.propose_handover(proposed_to=other_secondary_account, acting_account=other_primary_account)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_forged_proposal_ids_are_not_found(
    endpoint, browser_of, proposal, other_organisme_proposal, primary_account, successor, stored_state
):
    """The side that may use the page, typing another organisme's proposal or none."""
    browser = browser_of(successor if ALLOWED[endpoint] == "proposed person" else primary_account)
    before = stored_state()

    for forged in (other_organisme_proposal, HandoverProposal(pk=999_999)):
        assert browser.post(ENDPOINTS[endpoint](forged)).status_code == 404

    assert stored_state() == before
    assert HandoverProposal.objects.count() == 2


def test_a_proposal_answered_meanwhile_is_not_found(browser_of, proposal, primary_account, successor):
    handover.cancel_handover(proposal, acting_account=primary_account)

    assert browser_of(successor).post(accept_url(proposal)).status_code == 404
    assert primaries(primary_account.organisme) == [primary_account]


def test_only_the_primary_account_proposes(browser_of, secondary_account, successor, region_agent):
    for someone_else in (secondary_account, region_agent):
        assert browser_of(someone_else).post(propose_url(successor)).status_code == 403

    assert not HandoverProposal.objects.exists()
