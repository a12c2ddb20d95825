"""The periodic review of each organisme's accounts by its primary account
(beyond the guide): invitation by e-mail every ACCESS_REVIEW_INTERVAL_DAYS,
the list with each account's last login, and "Je confirme la liste"."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from access_reviews.models import AccessReview
from accounts.models import User
from audit.models import AuditEntry
from audit.services import record
from organisations.models import Organisme
from outbox.emails import absolute_url, send_email


def _interval() -> timedelta:
    return timedelta(days=settings.ACCESS_REVIEW_INTERVAL_DAYS)


def organismes_due_for_review(*, now: datetime | None = None) -> QuerySet[Organisme]:
    """Organismes whose last review (or creation, before the first) is an
    interval old or more, oldest first, with `last_reviewed_at`."""
    now = now or timezone.now()
    return (
        Organisme.objects.annotate(
            last_reviewed_at=F("access_review__reviewed_at"),
            review_from=Coalesce("access_review__reviewed_at", "created_at"),
        )
        .filter(review_from__lte=now - _interval())
        .order_by("review_from", "pk")
    )


def accounts_to_review(organisme: Organisme, *, now: datetime | None = None) -> QuerySet[User]:
    """The organisme's accounts, each with `unused`: no login (or, never
    logged in, no creation) for ACCESS_REVIEW_UNUSED_DAYS."""
    now = now or timezone.now()
    unused_since = now - timedelta(days=settings.ACCESS_REVIEW_UNUSED_DAYS)
    idle = Q(last_login__lte=unused_since) | Q(last_login__isnull=True, created_at__lte=unused_since)
    return (
        User.objects.alive()
        .filter(organisme=organisme)
        .annotate(
            unused=Case(
                When(idle, then=True),
                default=False,
            )
        )
        .order_by("-kind", "last_name", "first_name", "pk")
    )


@transaction.atomic
def confirm_review(organisme: Organisme, *, acting_account: User) -> None:
    """The primary account confirms that its organisme's accounts are right."""
    AccessReview.objects.update_or_create(
        organisme=organisme, defaults={"reviewed_at": timezone.now(), "reviewed_by": acting_account}
    )
    record(
        AuditEntry.Action.ACCESS_REVIEW_CONFIRMED,
        account=acting_account,
        acting_account=acting_account,
        organisme=organisme,
    )


def send_review_invitations(*, now: datetime | None = None) -> int:
    """Invite the primary account of each organisme due for review, at most
    once an interval; returns how many were invited."""
    now = now or timezone.now()
    invited = 0
    for organisme in organismes_due_for_review(now=now).filter(
        Q(access_review__isnull=True)
        | Q(access_review__reminded_at__isnull=True)
        | Q(access_review__reminded_at__lte=now - _interval())
    ):
        primary = organisme.primary_account
        if primary is None or not primary.email:
            continue
        with transaction.atomic():
            AccessReview.objects.update_or_create(organisme=organisme, defaults={"reminded_at": now})
            send_email(
                to=primary,
                template="access_review_invitation",
                context={
                    "account": primary,
                    "organisme": organisme,
                    "review_url": absolute_url(reverse("access_reviews:review")),
                    "unused_months": settings.ACCESS_REVIEW_UNUSED_DAYS * 12 // 365,
                },
            )
        invited += 1
    return invited
