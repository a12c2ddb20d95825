"""Reactivate the accounts deactivated until a day that has come.

Safe to run as often as wanted (run_scheduled_jobs runs it every 15 minutes):
an account is reactivated once, at the first run of its day (Europe/Paris)."""

from django.core.management.base import BaseCommand

from accounts import services
from core.text import plural


class Command(BaseCommand):
    # argparse needs plain strings for its help texts.
    help = "Réactive les comptes désactivés jusqu’à une date désormais atteinte, et prévient leurs utilisateurs."

    def handle(self, **options):
        count = services.reactivate_due_accounts()
        message = plural("%(count)d compte a été réactivé.", "%(count)d comptes ont été réactivés.", count)
        self.stdout.write(message % {"count": count})
