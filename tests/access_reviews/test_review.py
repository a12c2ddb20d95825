"""Revue des comptes: every six months each primary account is invited to
check its organisme's accounts, sees who has not logged in for a year, and
confirms the list; the Region sees who has not."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from access_reviews.models import AccessReview
from audit.models import AuditEntry
from organisations.models import Organisme
from tests.factories import OrganismeFactory, UserFactory

REVIEW = "/organisme/revue-des-comptes/"
OVERDUE = "/region/revues-des-comptes/"


def age(organisme, **delta):
    Organisme.objects.filter(pk=organisme.pk).update(created_at=timezone.now() - timedelta(**delta))


@pytest.fixture
def manager(client_of, primary_account):
    return client_of(primary_account)


def test_the_review_lists_each_account_with_its_last_login_and_flags_unused_ones(
    manager, primary_account, secondary_account, second_secondary_account, page_of, settings
):
    type(secondary_account).objects.filter(pk=secondary_account.pk).update(
        last_login=timezone.now() - timedelta(days=settings.ACCESS_REVIEW_UNUSED_DAYS + 1)
    )
    type(secondary_account).objects.filter(pk=second_secondary_account.pk).update(
        last_login=timezone.now() - timedelta(days=30)
    )

    page = page_of(manager.get(REVIEW))

    rows = {row[1]: row for row in page.rows}
    assert set(rows) == {"66bdj5zw4x", "test.identifiant", "8wwapv3bzk"}
    assert "Inutilisé depuis plus de 12 mois" in rows["test.identifiant"][4]
    assert "Inutilisé" not in rows["8wwapv3bzk"][4]
    assert "Désactiver" in rows["test.identifiant"][5] and "Supprimer" in rows["test.identifiant"][5]
    assert "Je confirme la liste" in page.text


def test_confirming_the_list_records_who_and_when_in_the_audit_trail(manager, primary_account, organisme, page_of):
    response = manager.post(REVIEW, follow=True)

    assert "la liste des comptes de votre organisme est confirmée" in page_of(response).text
    review = AccessReview.objects.get(organisme=organisme)
    assert review.reviewed_by == primary_account
    assert timezone.now() - review.reviewed_at < timedelta(minutes=1)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_REVIEW_CONFIRMED)
    assert (entry.actor, entry.organisme_id) == (primary_account, organisme.pk)
    assert "Dernière revue confirmée le" in page_of(manager.get(REVIEW)).text


@pytest.mark.parametrize("who", ["secondary_account", "region_agent"])
def test_only_the_organisme_primary_account_reviews_its_accounts(request, client_of, who, organisme, primary_account):
    client = client_of(request.getfixturevalue(who))

    assert client.get(REVIEW).status_code == 403
    assert client.post(REVIEW).status_code == 403
    assert not AccessReview.objects.filter(organisme=organisme).exists()


def test_another_primary_account_confirms_only_its_own_organisme(
    client_of, other_primary_account, other_organisme, organisme, primary_account
):
    client_of(other_primary_account).post(REVIEW)
    assert list(AccessReview.objects.values_list("organisme", flat=True)) == [other_organisme.pk]


def test_primary_accounts_are_invited_once_every_six_months(primary_account, organisme, mailbox, settings):
    call_command("send_access_review_invitations")
    assert mailbox.messages == [], "a new organisme is not due before six months"

    age(organisme, days=settings.ACCESS_REVIEW_INTERVAL_DAYS + 1)
    call_command("send_access_review_invitations")
    call_command("send_access_review_invitations")
    (invitation,) = mailbox.to(primary_account.email)
    assert "Revue des comptes" in invitation["Subject"]
    assert "/organisme/revue-des-comptes/" in mailbox.text(invitation)

    AccessReview.objects.filter(organisme=organisme).update(
        reminded_at=timezone.now() - timedelta(days=settings.ACCESS_REVIEW_INTERVAL_DAYS + 1)
    )
    call_command("send_access_review_invitations")
    assert len(mailbox.to(primary_account.email)) == 2, "still not reviewed six months later: invited again"


def test_an_organisme_that_reviewed_is_not_invited_until_six_months_later(
    manager, primary_account, organisme, mailbox, settings
):
    age(organisme, days=3 * settings.ACCESS_REVIEW_INTERVAL_DAYS)
    manager.post(REVIEW)
    call_command("send_access_review_invitations")
    assert mailbox.to(primary_account.email) == []

    AccessReview.objects.update(reviewed_at=timezone.now() - timedelta(days=settings.ACCESS_REVIEW_INTERVAL_DAYS))
    call_command("send_access_review_invitations")
    assert len(mailbox.to(primary_account.email)) == 1


def test_the_region_sees_which_organismes_have_not_reviewed(client_of, region_agent, page_of, settings):
    overdue = OrganismeFactory(raison_sociale="ORGANISME EN RETARD")
    UserFactory(primary=True, organisme=overdue)
    age(overdue, days=settings.ACCESS_REVIEW_INTERVAL_DAYS + 1)
    reviewed = OrganismeFactory(raison_sociale="ORGANISME A JOUR")
    age(reviewed, days=settings.ACCESS_REVIEW_INTERVAL_DAYS + 1)
    AccessReview.objects.create(organisme=reviewed, reviewed_at=timezone.now() - timedelta(days=10))

    page = page_of(client_of(region_agent).get(OVERDUE))

    assert page.column("Raison sociale") == ["ORGANISME EN RETARD"]
    assert page.column("Dernière revue") == ["Jamais"]


@pytest.mark.parametrize("who", ["primary_account", "secondary_account"])
def test_organisme_accounts_do_not_see_the_region_review_list(request, client_of, who):
    assert client_of(request.getfixturevalue(who)).get(OVERDUE).status_code == 403
