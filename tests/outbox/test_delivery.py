"""E-mails are queued with the change that causes them and delivered by the
worker, retried while the SMTP server is away, and never sent twice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from accounts import services
from accounts.models import PasswordLink, User
from outbox import delivery
from outbox.models import DeliveryAttempt, OutgoingEmail
from tests.accounts.test_block_notifications import block
from tests.factories import UserFactory

NEW_ACCOUNT = {
    "civilite": "madame",
    "last_name": "NOM TEST COMPTE",
    "first_name": "PRENOM TEST COMPTE",
    "email": "aa@aa.fr",
}


@pytest.fixture
def manager(client_of, primary_account):
    return client_of(primary_account)


def regenerate_password_of(account):
    services.regenerate_password(account, acting_account=UserFactory(primary=True, organisme=account.organisme))


def ask_for_a_password(account):
    return Client().post(
        "/generation-mot-de-passe/",
        {
            "identifiant": account.identifiant,
            "last_name": account.last_name,
            "first_name": account.first_name,
            "email": account.email,
        },
    )


def test_the_email_waits_in_the_outbox_until_the_worker_delivers_it(manager, mailbox, smtp_server):
    manager.post("/organisme/comptes/nouveau/", NEW_ACCOUNT)

    email = OutgoingEmail.objects.get(to="aa@aa.fr")
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.account == User.objects.get(email="aa@aa.fr")
    assert smtp_server.handler.messages == []

    assert len(mailbox.to("aa@aa.fr")) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.sent_at is not None
    assert [attempt.outcome for attempt in email.attempts.all()] == [DeliveryAttempt.Outcome.SENT]


def test_a_change_rolled_back_queues_no_email(primary_account, organisme, mailbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_secondary_account(organisme=organisme, acting_account=primary_account, **NEW_ACCOUNT)
        raise RuntimeError("the rest of the change failed")

    assert not OutgoingEmail.objects.exists()
    assert mailbox.messages == []


def test_smtp_down_then_up_the_email_arrives_once_after_the_outage(
    manager, mailbox, smtp_outage, clock, worker, page_of
):
    response = manager.post("/organisme/comptes/nouveau/", NEW_ACCOUNT, follow=True)
    assert "a bien été créé" in page_of(response).text
    worker()

    # Meanwhile the account exists and its manager goes on working with it.
    colleague = User.objects.get(email="aa@aa.fr")
    assert "NOM TEST COMPTE" in page_of(manager.get("/organisme/comptes/")).text
    response = manager.post(
        f"/organisme/comptes/{colleague.pk}/modifier/",
        NEW_ACCOUNT | {"first_name": "Prénom corrigé", "version": colleague.version},
    )
    assert response.status_code == 302
    email = OutgoingEmail.objects.get(to="aa@aa.fr")
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.last_error.startswith("Serveur de messagerie injoignable")
    assert "ConnectionRefusedError" in email.last_error

    smtp_outage.end()
    worker()
    assert mailbox.messages == [], "the next attempt waits for its time"

    clock.advance(minutes=1)
    assert [message["Subject"] for message in mailbox.to("aa@aa.fr")] == [email.subject]
    clock.advance(days=3)
    assert len(mailbox.to("aa@aa.fr")) == 1
    assert [a.outcome for a in email.attempts.all()] == [DeliveryAttempt.Outcome.RETRY, DeliveryAttempt.Outcome.SENT]


def test_failures_are_retried_with_growing_delays_for_more_than_a_day_then_fail(
    secondary_account, mailbox, smtp_outage, clock, worker
):
    regenerate_password_of(secondary_account)
    email = OutgoingEmail.objects.get()
    waits = []
    for _ in range(len(settings.OUTBOX_RETRY_DELAYS_SECONDS)):
        worker()
        email.refresh_from_db()
        assert email.status == OutgoingEmail.Status.QUEUED
        delivery_time = email.next_attempt_at
        attempted_at = email.attempts.last().started_at
        waits.append(delivery_time - attempted_at)
        clock.advance(seconds=1)
        worker()
        assert email.attempts.count() == len(waits), "nothing is tried before its time"
        clock.advance(seconds=(delivery_time - attempted_at).total_seconds())

    worker()
    email.refresh_from_db()
    assert [round(wait.total_seconds() / 60) for wait in waits] == [1, 5, 15, 60, 180, 360, 720, 1440]
    assert sum(waits, timedelta()) > timedelta(hours=24)
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempt_count == 9
    assert [a.outcome for a in email.attempts.all()] == [DeliveryAttempt.Outcome.RETRY] * 8 + [
        DeliveryAttempt.Outcome.FAILED
    ]
    clock.advance(days=7)
    worker()
    assert email.attempts.count() == 9, "a failed e-mail waits for a Region agent"


def test_a_recipient_refused_for_good_is_not_retried(secondary_account, mailbox, smtp_server, worker, monkeypatch):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Adresse inconnue"

    monkeypatch.setattr(smtp_server.handler, "handle_RCPT", refuse, raising=False)
    regenerate_password_of(secondary_account)
    worker()

    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.last_error.startswith("Destinataire refusé par le serveur de messagerie")
    assert "550" in email.last_error and "Adresse inconnue" in email.last_error
    assert mailbox.messages == []


def test_replayed_or_duplicate_tasks_deliver_an_email_once(secondary_account, mailbox, worker):
    regenerate_password_of(secondary_account)
    email = OutgoingEmail.objects.get()
    with transaction.atomic():
        delivery.deliver_email.enqueue(email.pk)
        delivery.deliver_email.enqueue(email.pk)
    worker()
    delivery.deliver_email.enqueue(email.pk)

    assert len(mailbox.to(secondary_account.email)) == 1


def test_the_one_time_link_token_is_never_stored(secondary_account, mailbox, field_errors):
    ask_for_a_password(secondary_account)
    message = mailbox.last_to(secondary_account.email)
    stored = OutgoingEmail.objects.get()
    (link,) = [link for link in mailbox.links(message) if "/acces/" in link]
    token = link.rstrip("/").rsplit("/", 1)[1]

    stored.refresh_from_db()
    assert token not in stored.text_body + stored.html_body
    assert token in mailbox.html(message)
    assert not PasswordLink.objects.filter(token_digest=token).exists()
    assert Client().get(link, follow=True).status_code == 200


def test_a_link_delayed_by_an_outage_is_valid_for_an_hour_after_it_arrives(
    secondary_account, mailbox, smtp_outage, clock, worker
):
    ask_for_a_password(secondary_account)
    worker()
    smtp_outage.end()
    clock.advance(hours=2)
    (link,) = [link for link in mailbox.links(mailbox.last_to(secondary_account.email)) if "/acces/" in link]

    clock.advance(minutes=50)
    client = Client()
    client.get(link)
    response = client.post("/acces/", follow=True)
    assert response.redirect_chain[-1][0] == "/mon-compte/modifications/"


def test_a_link_superseded_before_delivery_is_not_sent(secondary_account, mailbox, smtp_outage, clock, worker):
    ask_for_a_password(secondary_account)
    worker()
    ask_for_a_password(secondary_account)
    smtp_outage.end()
    clock.advance(minutes=1)

    assert len(mailbox.to(secondary_account.email)) == 1
    first, second = OutgoingEmail.objects.order_by("pk")
    assert first.status == OutgoingEmail.Status.CANCELLED
    assert second.status == OutgoingEmail.Status.SENT


def test_an_email_whose_worker_died_before_the_handover_is_sent_again(secondary_account, mailbox, clock, worker):
    regenerate_password_of(secondary_account)
    email = OutgoingEmail.objects.get()
    # What a worker killed between its claim and the DATA command leaves behind.
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENDING, claimed_at=email.created_at, attempt_count=1
    )
    assert delivery.recover_interrupted_deliveries() == (0, 0), "its lease is not over yet"

    clock.advance(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 1)
    assert delivery.recover_interrupted_deliveries() == (1, 0)
    assert len(mailbox.to(secondary_account.email)) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT


def test_an_email_whose_worker_died_during_the_handover_goes_to_the_region_not_out_again(
    secondary_account, mailbox, clock, worker
):
    regenerate_password_of(secondary_account)
    email = OutgoingEmail.objects.get()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.HANDING_OVER, claimed_at=email.created_at, attempt_count=1
    )
    clock.advance(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 1)

    assert delivery.recover_interrupted_deliveries() == (0, 1)
    assert mailbox.messages == []
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "a peut-être été reçu" in email.last_error


def test_a_connection_lost_during_data_is_not_retried(secondary_account, mailbox, smtp_server, worker, monkeypatch):
    async def hang_up(server, session, envelope):
        server.transport.close()

    monkeypatch.setattr(smtp_server.handler, "handle_DATA", hang_up)
    regenerate_password_of(secondary_account)
    worker()

    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "a peut-être été reçu" in email.last_error


def test_a_message_the_email_library_refuses_fails_and_is_shown_to_the_region(
    primary_account, mailbox, worker, client_of, region_agent, page_of
):
    """A CR/LF kept in an older name reaches a header: the notice must fail
    visibly, never stay claimed and requeued for ever (issue 14, F6)."""
    legacy = UserFactory(organisme=primary_account.organisme, last_name="RICHARD\r\nBcc: pirate@exemple.fr")
    block(legacy)
    worker()

    notice = OutgoingEmail.objects.get(to=primary_account.email, template="account_blocked_manager")
    assert notice.status == OutgoingEmail.Status.FAILED
    assert notice.claimed_at is None
    assert notice.last_error.startswith("Courriel impossible à construire ou à envoyer (")
    assert [attempt.outcome for attempt in notice.attempts.all()] == [DeliveryAttempt.Outcome.FAILED]
    assert "pirate@exemple.fr" not in str([message["To"] for message in mailbox.messages])
    assert delivery.recover_interrupted_deliveries(now=notice.attempts.get().finished_at + timedelta(days=1)) == (0, 0)

    page = page_of(client_of(region_agent).get("/region/courriels/"))
    assert any("Blocage du compte de" in row[2] and "Courriel impossible" in row[4] for row in page.rows)


@pytest.mark.parametrize(
    "subject",
    [
        "SIGMA - Demande de réinitialisation de votre compte d’accès à l’application SIGMA",
        "SIGMA - Création de votre compte d’accès à l’application SIGMA pour l’organisme ÉCOLE DES MÉTIERS",
        "SIGMA - Votre demande de modification du BDC BDC-2025-PRF23-005 a été refusée par la Région",
    ],
)
def test_an_accented_subject_longer_than_a_line_arrives_word_for_word(subject, mailbox, db):
    # Python's SMTP policy folds headers at 78 characters and, folding between
    # encoded words, drops spaces: « à l’application » arrived as « àl’application ».
    with transaction.atomic():
        delivery.queue(to="aa@aa.fr", account=None, template="test", subject=subject, text_body="x", html_body="x")

    assert mailbox.last_to("aa@aa.fr")["Subject"] == subject
