"""Handing an organisme's primary role over (accounts.handover): at once by the
Region, or proposed by the primary account and accepted by the secondary
account it is offered to. Whatever happens, the organisme has exactly one
primary account."""

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from accounts import handover, services
from accounts.handover import HandoverRefused
from accounts.models import HandoverProposal, User
from audit.models import AuditEntry
from tests.accounts.login import is_logged_in
from tests.concurrency import run_at_once
from tests.factories import UserFactory
from tests.pages import squeeze


def primaries(organisme):
    """The organisme's primary accounts, as stored."""
    return list(User.objects.filter(organisme=organisme, kind=User.Kind.PRIMARY, deleted_at=None))


def reloaded(account):
    return User.objects.get(pk=account.pk)


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


@pytest.fixture
def successor(second_secondary_account):
    """The secondary account that takes the role: Monsieur GU Be."""
    return second_secondary_account


@pytest.fixture
def hand_over(region_agent, organisme):
    """`hand_over(account, becomes="secondary")`: a Region agent makes `account`
    the organisme's primary account."""

    def perform(account, becomes="secondary"):
        return handover.hand_over_primary_role(
            organisme=organisme, new_primary=account, former_primary_becomes=becomes, acting_account=region_agent
        )

    return perform


@pytest.fixture
def proposal(primary_account, successor):
    """Mme BLA PAU, the primary account, has offered her role to M. GU Be."""
    return handover.propose_handover(proposed_to=successor, acting_account=primary_account)


# Hand over at once (Region)


def test_region_agent_hands_the_role_over_and_the_former_primary_becomes_secondary(
    hand_over, organisme, primary_account, successor
):
    result = hand_over(successor)

    assert primaries(organisme) == [successor]
    assert result == successor and result.is_primary
    former = reloaded(primary_account)
    assert (former.kind, former.is_active) == (User.Kind.SECONDARY, True)
    assert organisme.primary_account == successor


def test_region_agent_may_deactivate_the_former_primary_account(hand_over, organisme, primary_account, successor):
    hand_over(successor, becomes="deactivated")

    assert primaries(organisme) == [successor]
    former = reloaded(primary_account)
    assert (former.kind, former.is_active) == (User.Kind.SECONDARY, False)
    [deactivation] = entries(AuditEntry.Action.ACCOUNT_DEACTIVATED)
    assert deactivation.account == former


def test_handover_ends_both_accounts_open_sessions(
    hand_over, browser_of, primary_account, successor, secondary_account
):
    former_browser, new_browser, bystander = (
        browser_of(account) for account in (primary_account, successor, secondary_account)
    )

    hand_over(successor)

    assert not is_logged_in(former_browser)
    assert not is_logged_in(new_browser)
    assert is_logged_in(bystander)


def test_handover_writes_one_audit_entry_naming_both_people(
    hand_over, region_agent, organisme, primary_account, successor
):
    hand_over(successor, becomes="deactivated")

    [entry] = entries(AuditEntry.Action.ROLE_HANDED_OVER)
    assert (entry.account, entry.actor, entry.organisme) == (successor, region_agent, organisme)
    assert entry.changes == {
        "former_primary": "Madame BLA PAU",
        "new_primary": "Monsieur GU Be",
        "former_primary_becomes": "deactivated",
        "by_proposal": False,
    }


def test_both_people_are_told_by_email(mailbox, hand_over, primary_account, successor):
    hand_over(successor)

    to_new = mailbox.last_to("aa@aa.fr")
    assert to_new["Subject"] == "SIGMA - Vous êtes désormais le compte principal de votre organisme"
    text = squeeze(mailbox.text(to_new))
    assert (
        "Le rôle de compte principal de l’organisme de formation ORGANISME TEST PRF 23 vous a été transféré "
        "par la Région : vous êtes désormais le compte principal de l’organisme dans l’application SIGMA, "
        "à la place de Madame BLA PAU."
    ) in text
    to_former = mailbox.last_to(primary_account.email)
    assert to_former["Subject"] == "SIGMA - Transfert du rôle de compte principal de votre organisme"
    text = squeeze(mailbox.text(to_former))
    assert (
        "La Région a transféré le rôle de compte principal de l’organisme de formation ORGANISME TEST PRF 23 "
        "à Monsieur GU Be."
    ) in text
    assert "est désormais un compte secondaire de l’organisme" in text
    assert len(mailbox.messages) == 2


def test_the_deactivated_former_primary_is_told_so(mailbox, hand_over, primary_account, successor):
    hand_over(successor, becomes="deactivated")

    text = squeeze(mailbox.text(mailbox.last_to(primary_account.email)))
    assert "Votre compte d’accès à l’application SIGMA a été désactivé." in text


def test_no_email_leaves_when_the_handover_is_refused(mailbox, hand_over, other_secondary_account):
    with pytest.raises(HandoverRefused):
        hand_over(other_secondary_account)

    assert mailbox.messages == []


@pytest.fixture(
    params=[
        "the primary account itself",
        "deactivated secondary",
        "blocked secondary",
        "deleted secondary",
        "other organisme secondary",
        "region agent",
    ]
)
def not_a_successor(request, organisme, primary_account, other_secondary_account, region_agent):
    """An account that cannot take the organisme's primary role."""
    match request.param:
        case "the primary account itself":
            return primary_account
        case "deactivated secondary":
            return UserFactory(organisme=organisme, deactivated=True)
        case "blocked secondary":
            return UserFactory(organisme=organisme, blocked=True)
        case "deleted secondary":
            return UserFactory(organisme=organisme, deleted_at=timezone.now())
        case "other organisme secondary":
            return other_secondary_account
        case _:
            return region_agent


def test_the_role_goes_only_to_an_active_secondary_account_of_the_organisme(
    hand_over, not_a_successor, organisme, primary_account, stored_state
):
    before = stored_state()

    with pytest.raises(HandoverRefused) as refusal:
        hand_over(not_a_successor)

    assert "n’est pas un compte secondaire actif de l’organisme ORGANISME TEST PRF 23" in str(refusal.value)
    assert stored_state() == before
    assert primaries(organisme) == [primary_account]


def test_what_becomes_of_the_former_primary_must_be_said(hand_over, organisme, primary_account, successor):
    with pytest.raises(ValueError):
        hand_over(successor, becomes="deleted")

    assert primaries(organisme) == [primary_account]


def test_handover_cancels_a_pending_proposal(hand_over, proposal, organisme, secondary_account, region_agent):
    hand_over(secondary_account)

    assert not HandoverProposal.objects.exists()
    assert primaries(organisme) == [secondary_account]
    [cancelled] = entries(AuditEntry.Action.HANDOVER_CANCELLED)
    assert (cancelled.account, cancelled.actor) == (proposal.proposed_to, region_agent)
    assert cancelled.changes == {"reason": "role_handed_over"}


def test_the_role_can_be_handed_over_again_and_again(hand_over, organisme, primary_account, successor):
    hand_over(successor)
    assert primaries(organisme) == [successor]

    hand_over(primary_account)
    assert primaries(organisme) == [primary_account]
    assert reloaded(successor).kind == User.Kind.SECONDARY


# Proposal


def test_primary_account_proposes_its_role_to_a_secondary_account(
    mailbox, proposal, organisme, primary_account, successor
):
    stored = HandoverProposal.objects.get()
    assert (stored.organisme, stored.proposed_by, stored.proposed_to) == (organisme, primary_account, successor)
    # Nothing changes until it is accepted.
    assert primaries(organisme) == [primary_account]
    assert reloaded(successor).kind == User.Kind.SECONDARY
    [entry] = entries(AuditEntry.Action.HANDOVER_PROPOSED)
    assert (entry.account, entry.actor, entry.organisme) == (successor, primary_account, organisme)
    assert entry.changes == {"proposed_by": "Madame BLA PAU", "proposed_to": "Monsieur GU Be"}
    [message] = mailbox.to("aa@aa.fr")
    assert message["Subject"] == "SIGMA - Proposition de devenir le compte principal de votre organisme"
    text = squeeze(mailbox.text(message))
    assert (
        "Madame BLA PAU, compte principal de l’organisme de formation ORGANISME TEST PRF 23, vous propose de "
        "devenir le compte principal de l’organisme dans l’application SIGMA."
    ) in text
    assert mailbox.links(message) == ["http://127.0.0.1:8000/"]


@pytest.mark.parametrize(
    ("proposer", "addressee"),
    [
        ("secondary", "successor"),
        ("region agent", "successor"),
        ("primary", "primary"),
        ("primary", "deactivated"),
        ("primary", "blocked"),
        ("primary", "deleted"),
        ("primary", "other organisme"),
    ],
)
def test_the_role_is_proposed_only_by_the_primary_account_to_an_active_secondary_account(
    proposer, addressee, organisme, primary_account, secondary_account, successor, other_secondary_account, region_agent
):
    accounts = {
        "primary": primary_account,
        "secondary": secondary_account,
        "region agent": region_agent,
        "successor": successor,
        "deactivated": UserFactory(organisme=organisme, deactivated=True),
        "blocked": UserFactory(organisme=organisme, blocked=True),
        "deleted": UserFactory(organisme=organisme, deleted_at=timezone.now()),
        "other organisme": other_secondary_account,
    }

    with pytest.raises(HandoverRefused):
        handover.propose_handover(proposed_to=accounts[addressee], acting_account=accounts[proposer])

    assert not HandoverProposal.objects.exists()
    assert not entries(AuditEntry.Action.HANDOVER_PROPOSED)


def test_an_organisme_has_one_pending_proposal_at_a_time(proposal, primary_account, secondary_account):
    with pytest.raises(HandoverRefused) as refusal:
        handover.propose_handover(proposed_to=secondary_account, acting_account=primary_account)

    assert "déjà en attente" in str(refusal.value)
    assert list(HandoverProposal.objects.all()) == [proposal]


# Accept


def test_proposed_person_accepts_and_becomes_the_primary_account(
    proposal, organisme, primary_account, successor, browser_of
):
    former_browser, new_browser = browser_of(primary_account), browser_of(successor)

    result = handover.accept_handover(proposal, acting_account=successor)

    assert primaries(organisme) == [successor] == [result]
    former = reloaded(primary_account)
    assert (former.kind, former.is_active) == (User.Kind.SECONDARY, True)
    assert not HandoverProposal.objects.exists()
    assert not is_logged_in(former_browser)
    assert not is_logged_in(new_browser)
    [entry] = entries(AuditEntry.Action.ROLE_HANDED_OVER)
    assert (entry.account, entry.actor) == (successor, successor)
    assert entry.changes["by_proposal"] is True
    assert not entries(AuditEntry.Action.HANDOVER_CANCELLED)


def test_both_people_are_told_of_the_acceptance(mailbox, proposal, primary_account, successor):
    sent_before = len(mailbox.messages)

    handover.accept_handover(proposal, acting_account=successor)

    new_messages = mailbox.messages[sent_before:]
    assert sorted(message["To"] for message in new_messages) == sorted(["aa@aa.fr", primary_account.email])
    to_former = squeeze(mailbox.text(mailbox.last_to(primary_account.email)))
    assert (
        "Monsieur GU Be a accepté votre proposition : le rôle de compte principal de l’organisme de formation "
        "ORGANISME TEST PRF 23 lui a été transféré."
    ) in to_former
    to_new = squeeze(mailbox.text(mailbox.last_to("aa@aa.fr")))
    assert "Vous avez accepté la proposition de Madame BLA PAU" in to_new


def test_only_the_proposed_person_accepts(proposal, organisme, primary_account, secondary_account):
    for someone_else in (primary_account, secondary_account):
        with pytest.raises(HandoverRefused):
            handover.accept_handover(proposal, acting_account=someone_else)

    assert primaries(organisme) == [primary_account]
    assert HandoverProposal.objects.exists()


def _deactivate(account, actor):
    services.deactivate_account(account, acting_account=actor)


def _block(account, actor):
    User.objects.filter(pk=account.pk).update(is_blocked=True, failed_login_count=3)


def _delete(account, actor):
    services.delete_account(account, acting_account=actor)


@pytest.mark.parametrize(
    ("whose", "change"),
    [
        ("proposer", _deactivate),
        ("proposer", _block),
        ("addressee", _deactivate),
        ("addressee", _block),
        ("addressee", _delete),
    ],
    ids=[
        "proposer deactivated",
        "proposer blocked",
        "addressee deactivated",
        "addressee blocked",
        "addressee deleted",
    ],
)
def test_a_stale_proposal_cannot_be_accepted(
    whose, change, proposal, organisme, primary_account, successor, region_agent
):
    change(primary_account if whose == "proposer" else successor, region_agent)

    with pytest.raises(HandoverRefused) as refusal:
        handover.accept_handover(proposal, acting_account=successor)

    assert "Cette proposition n’est plus valable." in str(refusal.value)
    assert primaries(organisme) == [primary_account]
    assert reloaded(successor).kind == User.Kind.SECONDARY
    assert not entries(AuditEntry.Action.ROLE_HANDED_OVER)


def test_a_proposal_whose_author_is_no_longer_primary_cannot_be_accepted(
    proposal, hand_over, organisme, secondary_account, successor
):
    # The Region handed the role to someone else meanwhile.
    hand_over(secondary_account)

    with pytest.raises(HandoverRefused) as refusal:
        handover.accept_handover(proposal, acting_account=successor)

    assert "n’est plus en attente" in str(refusal.value)
    assert primaries(organisme) == [secondary_account]


def test_the_author_of_a_stale_proposal_is_named(proposal, organisme, primary_account, successor):
    assert proposal.stale_reason() == ""

    User.objects.filter(pk=primary_account.pk).update(is_active=False)

    stored = HandoverProposal.objects.get()
    assert stored.stale_reason() == "Madame BLA PAU n’est plus le compte principal actif de l’organisme."


def test_a_proposal_is_accepted_once(proposal, organisme, successor):
    handover.accept_handover(proposal, acting_account=successor)

    with pytest.raises(HandoverRefused):
        handover.accept_handover(proposal, acting_account=successor)

    assert primaries(organisme) == [successor]
    assert len(entries(AuditEntry.Action.ROLE_HANDED_OVER)) == 1


# Cancel


def test_proposer_withdraws_the_proposal_and_the_proposed_person_is_told(
    mailbox, proposal, organisme, primary_account, successor
):
    handover.cancel_handover(proposal, acting_account=primary_account)

    assert not HandoverProposal.objects.exists()
    assert primaries(organisme) == [primary_account]
    [entry] = entries(AuditEntry.Action.HANDOVER_CANCELLED)
    assert (entry.account, entry.actor) == (successor, primary_account)
    assert entry.changes["reason"] == "withdrawn"
    message = mailbox.last_to("aa@aa.fr")
    assert message["Subject"] == "SIGMA - Annulation de la proposition de transfert du rôle de compte principal"
    assert "Madame BLA PAU a annulé sa proposition" in squeeze(mailbox.text(message))
    assert mailbox.to(primary_account.email) == []


def test_proposed_person_declines_and_the_proposer_is_told(mailbox, proposal, organisme, primary_account, successor):
    handover.cancel_handover(proposal, acting_account=successor)

    assert not HandoverProposal.objects.exists()
    assert primaries(organisme) == [primary_account]
    [entry] = entries(AuditEntry.Action.HANDOVER_CANCELLED)
    assert (entry.account, entry.actor, entry.changes["reason"]) == (successor, successor, "declined")
    [message] = mailbox.to(primary_account.email)
    assert message["Subject"] == "SIGMA - Refus de votre proposition de transfert du rôle de compte principal"
    assert (
        "Monsieur GU Be a refusé votre proposition de devenir le compte principal de l’organisme de formation "
        "ORGANISME TEST PRF 23."
    ) in squeeze(mailbox.text(message))


def test_nobody_else_cancels_a_proposal(proposal, secondary_account, region_agent, other_primary_account):
    for someone_else in (secondary_account, region_agent, other_primary_account):
        with pytest.raises(HandoverRefused):
            handover.cancel_handover(proposal, acting_account=someone_else)

    assert HandoverProposal.objects.exists()
    assert not entries(AuditEntry.Action.HANDOVER_CANCELLED)


def test_a_cancelled_proposal_can_no_longer_be_accepted(proposal, organisme, primary_account, successor):
    handover.cancel_handover(proposal, acting_account=primary_account)

    with pytest.raises(HandoverRefused):
        handover.accept_handover(proposal, acting_account=successor)
    with pytest.raises(HandoverRefused):
        handover.cancel_handover(proposal, acting_account=successor)
    assert primaries(organisme) == [primary_account]


def test_a_stale_proposal_can_still_be_cancelled_to_make_another(
    proposal, organisme, primary_account, successor, secondary_account, region_agent
):
    services.deactivate_account(successor, acting_account=primary_account)

    handover.cancel_handover(proposal, acting_account=primary_account)
    handover.propose_handover(proposed_to=secondary_account, acting_account=primary_account)

    assert HandoverProposal.objects.get().proposed_to == secondary_account


# The invariant, step by step


def test_the_organisme_always_has_exactly_one_primary_account(
    organisme, primary_account, successor, secondary_account, hand_over
):
    steps = [
        lambda: handover.propose_handover(proposed_to=successor, acting_account=primary_account),
        lambda: handover.cancel_handover(HandoverProposal.objects.get(), acting_account=successor),
        lambda: handover.propose_handover(proposed_to=secondary_account, acting_account=primary_account),
        lambda: handover.accept_handover(HandoverProposal.objects.get(), acting_account=secondary_account),
        lambda: handover.propose_handover(proposed_to=successor, acting_account=reloaded(secondary_account)),
        lambda: hand_over(primary_account, becomes="deactivated"),
        lambda: hand_over(successor),
    ]
    expected_primaries = [
        primary_account,
        primary_account,
        primary_account,
        secondary_account,
        secondary_account,
        primary_account,
        successor,
    ]
    for step, expected in zip(steps, expected_primaries, strict=True):
        step()
        assert primaries(organisme) == [expected]


# In parallel. Only PostgreSQL runs transactions truly in parallel; CI runs it there.

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel handovers need a database that runs concurrent transactions (PostgreSQL); CI runs it there",
)


@pytest.fixture
def slow_deactivation(monkeypatch):
    """Deactivating the former primary account, between its demotion and the
    promotion of the new one, takes a while: the window in which another
    transaction could see no primary account, or start a second handover."""
    deactivate = services.deactivate_account

    def slowly(account, *, acting_account):
        time.sleep(0.3)
        return deactivate(account, acting_account=acting_account)

    monkeypatch.setattr(services, "deactivate_account", slowly)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_parallel_handovers_leave_exactly_one_primary_account_at_every_instant(
    organisme, primary_account, successor, secondary_account, region_agent, slow_deactivation
):
    counts, done = [], threading.Event()

    def poll():
        try:
            while not done.is_set():
                counts.append(User.objects.filter(organisme=organisme, kind="primary", deleted_at=None).count())
        finally:
            connection.close()

    def hand_over_to(account):
        return lambda: handover.hand_over_primary_role(
            organisme=organisme,
            new_primary=account,
            former_primary_becomes="deactivated",
            acting_account=region_agent,
        )

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        outcomes = run_at_once(hand_over_to(successor), hand_over_to(secondary_account))
    finally:
        done.set()
        poller.join(timeout=60)

    # Both succeed, one after the other: the second takes the role from the first.
    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    [final] = primaries(organisme)
    assert final in (successor, secondary_account)
    loser = secondary_account if final == successor else successor
    assert (reloaded(loser).kind, reloaded(loser).is_active) == (User.Kind.SECONDARY, False)
    assert len(entries(AuditEntry.Action.ROLE_HANDED_OVER)) == 2
    assert len(counts) > 10
    assert set(counts) == {1}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_accepting_and_cancelling_at_the_same_time_does_one_or_the_other(organisme, primary_account, successor):
    proposal = handover.propose_handover(proposed_to=successor, acting_account=primary_account)

    accepted, cancelled = run_at_once(
        lambda: handover.accept_handover(proposal, acting_account=successor),
        lambda: handover.cancel_handover(proposal, acting_account=primary_account),
    )

    assert not HandoverProposal.objects.exists()
    if isinstance(accepted, HandoverRefused):
        assert cancelled is None
        assert primaries(organisme) == [primary_account]
    else:
        assert accepted == successor
        assert isinstance(cancelled, HandoverRefused)
        assert primaries(organisme) == [successor]
    assert len(entries(AuditEntry.Action.ROLE_HANDED_OVER)) + len(entries(AuditEntry.Action.HANDOVER_CANCELLED)) == 1
