"""Reset the second factor of a Region agent who lost it.

No page does it: an agent's account is managed by no one in the application
(as for unblocking, where only the password generation path serves an
agent). The agent enrols again at their next login.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Réinitialise la double authentification d’un agent de la Région qui a perdu son application "
        "et ses codes de secours ; ses sessions sont fermées et il la configurera de nouveau à sa prochaine connexion."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifiant")

    def handle(self, *args, identifiant, **options):
        agent = User.objects.alive().with_identifiant(identifiant).filter(kind=User.Kind.REGION_AGENT).first()
        if agent is None:
            raise CommandError(f"Aucun agent de la Région n’a l’identifiant {identifiant!r}.")
        if not two_factor.has_second_factor(agent):
            raise CommandError(f"{agent.civil_name} n’a pas de double authentification à réinitialiser.")
        two_factor.reset_second_factor(agent, acting_account=None)
        self.stdout.write(self.style.SUCCESS(f"La double authentification de {agent.civil_name} a été réinitialisée."))
