"""Delete the expired one-time password links and the stale counts of failed
logins against unknown identifiants; run_scheduled_jobs runs it.

An expired link can no longer be used (accounts.links.find_valid_link), so
deleting it loses nothing.

Unknown identifiants are the trade-off: their counts answer like a real
account's lockout, so that the login page never tells whether an identifiant
exists. Keeping them for ever would store every mistyped identifiant's digest
for ever; deleting them after UNKNOWN_IDENTIFIANT_RETENTION_DAYS without any
attempt lets such an identifiant answer "incorrect" again rather than
"bloqué", where a real blocked account stays blocked until someone unblocks
it. That difference only shows after a month of silence on that identifiant,
and real accounts get unblocked too (by their manager or their user), so it
says little; a shorter period would say more, a longer one keeps more."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import PasswordLink, UnknownIdentifiantAttempts

UNKNOWN_IDENTIFIANT_RETENTION_DAYS = 30


class Command(BaseCommand):
    # argparse needs plain strings for its help texts.
    help = (
        "Supprime les liens de génération de mot de passe expirés et les compteurs d’échecs de connexion "
        "sur des identifiants inconnus sans tentative depuis 30 jours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=UNKNOWN_IDENTIFIANT_RETENTION_DAYS,
            help="Jours sans tentative après lesquels un compteur d’identifiant inconnu est supprimé (30).",
        )

    def handle(self, *, days, **options):
        if days < 1:
            raise CommandError("La durée de conservation doit être d’au moins un jour.")
        now = timezone.now()
        links, _per_model = PasswordLink.objects.filter(expires_at__lte=now).delete()
        attempts, _per_model = UnknownIdentifiantAttempts.objects.filter(
            last_attempt_at__lt=now - timedelta(days=days)
        ).delete()
        self.stdout.write(
            "%(links)d lien(s) expiré(s) et %(attempts)d compteur(s) d’identifiant inconnu supprimé(s)."
            % {"links": links, "attempts": attempts}
        )
