from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import User
from organisations.models import Organisme

DEMO_PASSWORD = "Demo-Sigma-2026!"

DEMO_ORGANISMES = [
    {
        "raison_sociale": "ORGANISME TEST PRF 23",
        "enseigne": "",
        "siret": "12345678913000",
        "accounts": [
            ("66bdj5zw4x", User.Kind.PRIMARY, User.Civilite.MADAME, "BLA", "PAU", "pau@organisme-test.fr"),
            ("8wwapv3bzk", User.Kind.SECONDARY, User.Civilite.MONSIEUR, "GU", "Be", "aa@aa.fr"),
            (
                "test.identifiant",
                User.Kind.SECONDARY,
                User.Civilite.MADAME,
                "NOM TEST COMPTE",
                "PRENOM TEST COMPTE",
                "aa1@aa.fr",
            ),
        ],
    },
    {
        "raison_sociale": "FORMATIONS DU MIDI",
        "enseigne": "FDM",
        "siret": "98765432100007",
        "accounts": [
            ("durand.fdm", User.Kind.PRIMARY, User.Civilite.MONSIEUR, "DURAND", "Marc", "marc.durand@fdm.fr"),
        ],
    },
]

DEMO_REGION_AGENT = ("agent.region", User.Civilite.MADAME, "MARTIN", "Claire", "claire.martin@laregion.fr")


class Command(BaseCommand):
    help = "Charge les données de démonstration (développement uniquement). Peut être relancée sans effet."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Les données de démonstration ne se chargent pas en production.")
        with transaction.atomic():
            for spec in DEMO_ORGANISMES:
                organisme, _ = Organisme.objects.get_or_create(
                    siret=spec["siret"],
                    defaults={"raison_sociale": spec["raison_sociale"], "enseigne": spec["enseigne"]},
                )
                for identifiant, kind, civilite, last_name, first_name, email in spec["accounts"]:
                    self._ensure_account(identifiant, kind, organisme, civilite, last_name, first_name, email)
            identifiant, civilite, last_name, first_name, email = DEMO_REGION_AGENT
            self._ensure_account(identifiant, User.Kind.REGION_AGENT, None, civilite, last_name, first_name, email)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))

    def _ensure_account(self, identifiant, kind, organisme, civilite, last_name, first_name, email):
        if User.objects.alive().filter(identifiant__iexact=identifiant).exists():
            return
        account = services.create_account(
            organisme=organisme,
            kind=kind,
            acting_account=None,
            civilite=civilite,
            last_name=last_name,
            first_name=first_name,
            email=email,
        )
        services.change_credentials(account, identifiant=identifiant, password=DEMO_PASSWORD, acting_account=None)
