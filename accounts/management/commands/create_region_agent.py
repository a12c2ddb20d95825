"""Create a Region agent, such as the first one, who then creates the others'
organismes from the Espace Région.

No password is ever typed here: the agent receives the first e-mail and
generates their password through the same path as every other account.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import translation

from accounts import services
from accounts.forms import RegionAgentForm
from accounts.models import IDENTIFIANT_TAKEN, User

# (form field, command line option, prompt)
QUESTIONS = [
    ("civilite", "civilite", "Civilité (madame / monsieur) : "),
    ("last_name", "nom", "Nom d’usage : "),
    ("first_name", "prenom", "Prénom : "),
    ("email", "courriel", "Courriel : "),
    ("identifiant", "identifiant", "Identifiant : "),
]
OPTION_OF = {field: option for field, option, _prompt in QUESTIONS}


class Command(BaseCommand):
    help = (
        "Crée un agent de la Région. Il reçoit par courriel son identifiant et le lien pour générer "
        "son mot de passe. Sans --no-input, les informations manquantes sont demandées."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--civilite", help="madame ou monsieur")
        parser.add_argument("--nom", help="nom d’usage")
        parser.add_argument("--prenom", help="prénom")
        parser.add_argument("--courriel", help="adresse qui recevra les accès")
        parser.add_argument("--identifiant", help="identifiant de connexion, sans espace")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="ne rien demander : toutes les options sont alors obligatoires",
        )

    def handle(self, *args, **options):
        self.stdin = options.get("stdin") or sys.stdin
        # Commands run without translations; the form's messages are to be read in French.
        with translation.override(settings.LANGUAGE_CODE):
            if options["interactive"]:
                data = {
                    field: self._ask_until_valid(field, prompt, options[option]) for field, option, prompt in QUESTIONS
                }
            else:
                data = {field: _normalized(field, options[option] or "") for field, option, _prompt in QUESTIONS}
            # Checked again as a whole: the identifiant may have been taken meanwhile.
            form = RegionAgentForm(data)
            if not form.is_valid():
                raise CommandError(self._errors_text(form))
            try:
                agent = services.create_account(
                    organisme=None, kind=User.Kind.REGION_AGENT, acting_account=None, **form.cleaned_data
                )
            except IntegrityError as error:
                raise CommandError(IDENTIFIANT_TAKEN) from error
            self.stdout.write(
                self.style.SUCCESS(
                    (
                        "L’agent de la Région %(name)s a été créé avec l’identifiant %(identifiant)s. "
                        "Un courriel a été envoyé à %(email)s pour qu’il génère son mot de passe."
                    )
                    % {"name": agent.civil_name, "identifiant": agent.identifiant, "email": agent.email}
                )
            )

    def _ask_until_valid(self, field, prompt, given):
        """The option's value if valid, else the answer to `prompt`, asked again
        until it passes the form's checks for `field`."""
        value = given
        while True:
            if value is None:
                value = self._ask(prompt)
            value = _normalized(field, value)
            errors = RegionAgentForm({field: value}).errors.get(field)
            if not errors:
                return value
            for error in errors:
                self.stderr.write(str(error))
            value = None

    def _ask(self, prompt):
        self.stdout.write(str(prompt), ending="")
        self.stdout.flush()
        try:
            answer = self.stdin.readline()
        except KeyboardInterrupt:
            answer = ""
        if not answer:
            raise CommandError("Création annulée.")
        return answer.strip()

    @staticmethod
    def _errors_text(form):
        return "\n".join(
            f"--{OPTION_OF[field]} ({form.fields[field].label}) : {error}"
            for field, errors in form.errors.items()
            for error in errors
        )


def _normalized(field, value):
    value = value.strip()
    return value.lower() if field == "civilite" else value
