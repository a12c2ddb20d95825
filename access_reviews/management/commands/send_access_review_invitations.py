from django.core.management.base import BaseCommand

from access_reviews.services import send_review_invitations


class Command(BaseCommand):
    help = "Invite par courriel les comptes principaux dont la revue des comptes est due."

    def handle(self, **options):
        self.stdout.write(f"{send_review_invitations()} invitation(s) à la revue des comptes envoyée(s).")
