"""Remove the audit entries older than the retention period (RGPD).

The one place entries are ever deleted; run_scheduled_jobs runs it (README)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditEntry
from core.text import plural


class Command(BaseCommand):
    # argparse needs plain strings for its help texts.
    help = (
        "Supprime les événements du journal plus anciens que la durée de conservation "
        "(AUDIT_RETENTION_DAYS, 365 jours par défaut)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            help="Durée de conservation en jours, à la place de AUDIT_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compte les événements à supprimer sans les supprimer.",
        )

    def handle(self, *, days, dry_run, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("La durée de conservation doit être d’au moins un jour.")
        cutoff = timezone.now() - timedelta(days=days)
        expired = AuditEntry.objects.filter(at__lt=cutoff)
        if dry_run:
            count = expired.count()
            message = plural(
                "%(count)d événement antérieur au %(cutoff)s serait supprimé ; rien n’a été supprimé.",
                "%(count)d événements antérieurs au %(cutoff)s seraient supprimés ; rien n’a été supprimé.",
                count,
            )
        else:
            # QuerySet.delete: AuditEntry.delete() refuses, on purpose.
            count, _per_model = expired.delete()
            message = plural(
                "%(count)d événement antérieur au %(cutoff)s a été supprimé.",
                "%(count)d événements antérieurs au %(cutoff)s ont été supprimés.",
                count,
            )
        self.stdout.write(message % {"count": count, "cutoff": f"{timezone.localtime(cutoff):%d/%m/%Y %H:%M}"})
