"""The demande d'accès: a person with the organisme's SIRET and no account
asks to join; the primary account accepts (a compte secondaire, already
linked) or refuses; each step audited and told by e-mail."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from proconnect.models import AccessRequest, ProConnectLink
from tests.two_factor import log_in_verified

EMAIL = "nouvelle@organisme.fr"


@pytest.fixture
def newcomer(proconnect, organisme, primary_account, mailbox):
    return proconnect.provider.add_person(
        EMAIL, sub="sub-new", siret=organisme.siret, given_name="Léa", usual_name="NOUVELLE"
    )


def file_request(client, proconnect, **changes):
    assert proconnect.sign_in(EMAIL)["Location"] == reverse("proconnect:access_request")
    page = client.get(reverse("proconnect:access_request")).content.decode()
    assert 'value="NOUVELLE"' in page
    assert f'value="{EMAIL}"' in page
    data = {"civilite": "madame", "last_name": "NOUVELLE", "first_name": "Léa", "email": EMAIL} | changes
    return client.post(reverse("proconnect:access_request"), data)


def test_a_newcomer_files_a_request_and_the_primary_account_is_told(
    client, proconnect, newcomer, organisme, primary_account, mailbox
):
    response = file_request(client, proconnect)

    assert "est envoyée au compte principal" in response.content.decode()
    access_request = AccessRequest.objects.get()
    assert (access_request.organisme, access_request.sub, access_request.email) == (organisme, "sub-new", EMAIL)
    assert client.session.get("_auth_user_id") is None
    message = mailbox.last_to(primary_account.email)
    assert "NOUVELLE Léa" in mailbox.text(message)
    assert "http://testserver/proconnect/demandes/" in mailbox.text(message)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_REQUESTED)
    assert (entry.organisme, entry.changes["email"]) == (organisme, EMAIL)
    home = log_in_verified(Client(), primary_account).get(reverse("dashboard:home")).content.decode()
    assert "Une personne de votre établissement demande un compte secondaire." in home


def test_at_most_one_pending_request_per_person_and_organisme(client, proconnect, newcomer, mailbox):
    file_request(client, proconnect)
    response = file_request(client, proconnect)

    assert "attend déjà la réponse" in response.content.decode()
    assert AccessRequest.objects.count() == 1


def test_an_expired_request_is_no_longer_shown_and_may_be_filed_again(
    client, proconnect, newcomer, primary_account, mailbox
):
    file_request(client, proconnect)
    AccessRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    manager = log_in_verified(Client(), primary_account)
    assert "Aucune demande d’accès en attente." in manager.get(reverse("proconnect:requests")).content.decode()
    stale = AccessRequest.objects.get()
    assert manager.post(reverse("proconnect:answer", args=[stale.pk, "accepter"])).status_code == 404

    file_request(client, proconnect)
    assert AccessRequest.objects.get().expires_at > timezone.now()


def test_the_primary_account_accepts_and_the_newcomer_signs_in(
    client, proconnect, newcomer, organisme, primary_account, mailbox
):
    file_request(client, proconnect)
    access_request = AccessRequest.objects.get()
    manager = log_in_verified(Client(), primary_account)

    response = manager.post(reverse("proconnect:answer", args=[access_request.pk, "accepter"]))

    assert response["Location"] == reverse("proconnect:requests")
    account = User.objects.get(email=EMAIL)
    assert (account.organisme, account.kind, account.last_name, account.first_name) == (
        organisme,
        User.Kind.SECONDARY,
        "NOUVELLE",
        "Léa",
    )
    assert not account.has_usable_password()
    assert ProConnectLink.objects.get(account=account).sub == "sub-new"
    assert not AccessRequest.objects.exists()
    actions = set(AuditEntry.objects.filter(account=account).values_list("action", flat=True))
    assert {AuditEntry.Action.ACCOUNT_CREATED, AuditEntry.Action.ACCESS_REQUEST_ACCEPTED} <= actions
    assert AuditEntry.Action.PROCONNECT_LINKED in actions
    assert "S’identifier avec ProConnect" in mailbox.text(mailbox.last_to(EMAIL))

    assert proconnect.sign_in(EMAIL)["Location"] == reverse("dashboard:home")
    assert client.session["_auth_user_id"] == str(account.pk)


def test_the_primary_account_refuses_and_the_person_is_told(
    client, proconnect, newcomer, organisme, primary_account, mailbox
):
    file_request(client, proconnect)
    access_request = AccessRequest.objects.get()
    accounts = User.objects.count()

    log_in_verified(Client(), primary_account).post(reverse("proconnect:answer", args=[access_request.pk, "refuser"]))

    assert User.objects.count() == accounts
    assert not AccessRequest.objects.exists()
    assert "n’a pas accepté votre demande" in mailbox.text(mailbox.last_to(EMAIL))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_REQUEST_REFUSED)
    assert (entry.actor, entry.organisme, entry.changes["email"]) == (primary_account, organisme, EMAIL)
    assert proconnect.sign_in(EMAIL)["Location"] == reverse("proconnect:access_request")


def test_another_organismes_primary_account_cannot_answer(client, proconnect, newcomer, other_primary_account, mailbox):
    file_request(client, proconnect)
    access_request = AccessRequest.objects.get()
    outsider = log_in_verified(Client(), other_primary_account)

    assert outsider.post(reverse("proconnect:answer", args=[access_request.pk, "accepter"])).status_code == 403
    assert "NOUVELLE" not in outsider.get(reverse("proconnect:requests")).content.decode()
    assert AccessRequest.objects.exists()


def test_the_organismes_history_tells_each_step_in_french(client, proconnect, newcomer, primary_account, mailbox):
    file_request(client, proconnect)
    manager = log_in_verified(Client(), primary_account)
    manager.post(reverse("proconnect:answer", args=[AccessRequest.objects.get().pk, "refuser"]))

    history = manager.get(reverse("audit:organisme_history")).content.decode()

    assert "Demande d’accès" in history
    assert "Refus d’une demande d’accès" in history
    assert f"Courriel : {EMAIL}" in history
    assert "Nom d’usage : NOUVELLE" in history


def test_filing_a_request_purges_every_lapsed_one(client, proconnect, newcomer, other_organisme, mailbox):
    AccessRequest.objects.create(
        organisme=other_organisme,
        sub="sub-old",
        civilite="madame",
        last_name="ANCIENNE",
        first_name="Ada",
        email="ancienne@ailleurs.fr",
        expires_at=timezone.now() - timedelta(days=1),
    )

    file_request(client, proconnect)

    assert list(AccessRequest.objects.values_list("sub", flat=True)) == ["sub-new"]


def test_a_request_answered_meanwhile_is_answered_once(client, proconnect, newcomer, primary_account, mailbox):
    """Two answers crossing (two tabs, two clicks): the second finds the
    request gone and changes nothing."""
    from proconnect import services

    file_request(client, proconnect)
    seen_by_both = AccessRequest.objects.get()
    services.accept_request(seen_by_both, acting_account=primary_account)
    entries = AuditEntry.objects.count()

    with pytest.raises(services.RequestGone):
        services.refuse_request(seen_by_both, acting_account=primary_account)
    with pytest.raises(services.RequestGone):
        services.accept_request(seen_by_both, acting_account=primary_account)

    assert AuditEntry.objects.count() == entries
    assert User.objects.filter(email=EMAIL).count() == 1
