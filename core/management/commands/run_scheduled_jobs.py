"""Every scheduled job, for one cron line every 15 minutes (see README):

- reactivate_accounts: accounts deactivated until a day that has come;
- purge_password_links: expired one-time links, stale unknown-identifiant counts;
- purge_audit: audit entries past their retention;
- recover_interrupted_emails: e-mails whose worker died mid-delivery;
- send_access_review_invitations: primary accounts whose review is due.

Each job is idempotent, so running them this often is harmless. A failing job
does not stop the others; the command then fails, for cron to report it."""

import traceback
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

JOBS = (
    "reactivate_accounts",
    "purge_password_links",
    "purge_audit",
    "recover_interrupted_emails",
    "send_access_review_invitations",
)


class Command(BaseCommand):
    # argparse needs plain strings for its help texts.
    help = "Lance les tâches planifiées : " + ", ".join(JOBS) + "."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for job in JOBS:
            self.stdout.write(f"{job} :")
            try:
                call_command(job, stdout=self.stdout, stderr=self.stderr)
            except Exception:
                failed.append(job)
                self.stderr.write(traceback.format_exc())
        if failed:
            raise CommandError("Tâches en échec : %(jobs)s." % {"jobs": ", ".join(failed)})
