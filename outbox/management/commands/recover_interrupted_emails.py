"""Take back the e-mails of workers that died mid-delivery (run_scheduled_jobs
runs it): see outbox.delivery.recover_interrupted_deliveries."""

from django.core.management.base import BaseCommand

from outbox.delivery import recover_interrupted_deliveries


class Command(BaseCommand):
    help = "Remet en file les courriels dont l’envoi a été interrompu ; signale ceux dont la remise est incertaine."

    def handle(self, **options):
        requeued, flagged = recover_interrupted_deliveries()
        self.stdout.write(f"{requeued} courriel(s) remis en file, {flagged} signalé(s) à la Région.")
