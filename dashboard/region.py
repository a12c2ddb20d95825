"""The Région agent's home page: what an agent acts on, each with its count and
a link to the list that shows it. One query per block, whatever the data."""

from django.db.models import Q

from access_reviews.services import organismes_due_for_review
from accounts.models import HandoverProposal, User
from audit.models import AuditEntry
from outbox.models import OutgoingEmail
from training.models import DemandeModification

SHOWN = 5  # lines of each list on the home page; the full list is one click away


def region_home_blocks() -> dict:
    blocked_primaries = User.objects.filter(kind=User.Kind.PRIMARY, is_blocked=True, deleted_at__isnull=True)
    return {
        "failed_email_count": OutgoingEmail.objects.filter(
            status__in=[OutgoingEmail.Status.FAILED, OutgoingEmail.Status.CANCELLED]
        ).count(),
        "blocked_primary_count": blocked_primaries.count(),
        "blocked_primaries": list(
            blocked_primaries.select_related("organisme").order_by("organisme__raison_sociale", "pk")[:SHOWN]
        ),
        "overdue_review_count": organismes_due_for_review().count(),
        "handover_count": HandoverProposal.objects.count(),
        # The list the tile links to filters by the same rule.
        "pending_demande_count": DemandeModification.objects.pending().count(),
        "handovers": list(
            HandoverProposal.objects.select_related("organisme", "proposed_to").order_by("created_at")[:SHOWN]
        ),
        "recent_entries": list(
            AuditEntry.objects.filter(~Q(action=AuditEntry.Action.LOGIN_SUCCEEDED)).order_by("-at")[:SHOWN]
        ),
    }
