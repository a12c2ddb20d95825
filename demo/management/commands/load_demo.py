import base64
import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import services, two_factor
from accounts.models import User
from organisations.models import Organisme
from passkeys.models import Passkey
from training import bilans as bilan_rules
from training.dashboard import forget_dashboard
from training.models import (
    EVENT_OF_STATUS,
    ActionFormation,
    Bilan,
    DeclarationHeures,
    DemandeModification,
    Facture,
    FactureEvent,
    Inscription,
    PeriodeDeclaration,
    Programme,
    Situation,
    Stagiaire,
    first_day_of_month,
)

DEMO_PASSWORD = "Demo-Sigma-2026!"
# Who answered the demo's demandes and invoices.
DEMO_REGION_NAME = "Région Occitanie"

DEMO_ORGANISMES: list[dict[str, Any]] = [
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

# Each organisme's actions, their dates in days from today so that every run
# (whatever the day) shows the same states: (numero_bdc, intitule, programme,
# lieu, start, end, closed, trainees, awaiting entry). The first action of
# ORGANISME TEST PRF 23 has the guide's 57 declaration periods left unvalidated.
DEMO_ACTIONS = {
    "12345678913000": [
        (
            "BDC-2022-PRF23-001",
            "Savoirs de base - LECTIO",
            Programme.LECTIO,
            "Montpellier",
            "57 months",
            60,
            False,
            6,
            0,
        ),
        (
            "BDC-2026-PRF23-002",
            "Titre professionnel Secrétaire assistant",
            Programme.QUALIF_PRO,
            "Nîmes",
            -60,
            90,
            False,
            8,
            2,
        ),
        (
            "BDC-2026-PRF23-003",
            "Préparation aux métiers du numérique",
            Programme.PROJET_PRO,
            "Sète",
            20,
            140,
            False,
            0,
            3,
        ),
        (
            "BDC-2026-PRF23-004",
            "CAP Accompagnant éducatif petite enfance",
            Programme.QUALIF_PRO,
            "Béziers",
            -250,
            -15,
            False,
            5,
            0,
        ),
        ("BDC-2025-PRF23-005", "Avenir - remobilisation", Programme.AVENIR, "Lunel", -400, -200, True, 4, 0),
    ],
    "98765432100007": [
        ("BDC-2026-FDM-001", "Titre professionnel Cuisinier", Programme.QUALIF_PRO, "Toulouse", -45, 120, False, 6, 1),
        (
            "BDC-2025-FDM-002",
            "Découverte des métiers du bâtiment",
            Programme.PROJET_PRO,
            "Albi",
            -300,
            -100,
            True,
            4,
            0,
        ),
    ],
}

# The guide’s screenshot shows two invoices waiting for validation; every state
# of MA FACTURATION has one for ORGANISME TEST PRF 23, so each count leads somewhere.
DEMO_INVOICES = {
    "BDC-2022-PRF23-001": [Facture.Status.EN_ATTENTE_VALIDATION, Facture.Status.EN_ATTENTE_VALIDATION],
    "BDC-2026-PRF23-002": [Facture.Status.PAYEE, Facture.Status.REJETEE],
    "BDC-2026-PRF23-004": [Facture.Status.PAYEE, Facture.Status.EN_ATTENTE_EMISSION],
    "BDC-2025-PRF23-005": [Facture.Status.PAYEE, Facture.Status.SUSPENDUE],
    "BDC-2026-FDM-001": [Facture.Status.SUSPENDUE],
    "BDC-2025-FDM-002": [Facture.Status.PAYEE, Facture.Status.EN_ATTENTE_VALIDATION],
}

# (objet, explication, status, the Région's comment)
DEMO_REQUESTS = {
    "BDC-2026-PRF23-002": [
        (
            DemandeModification.Objet.DATES,
            "Report de la date de fin de la formation de deux semaines : le plateau technique ferme en juin.",
            DemandeModification.Status.EN_ATTENTE,
            "",
        ),
        (
            DemandeModification.Objet.LIEU,
            "Changement de lieu : les cours ont lieu dans nos nouveaux locaux de Blagnac.",
            DemandeModification.Status.ACCEPTEE,
            "Accord de la Région : le lieu de l’action est mis à jour.",
        ),
    ],
    "BDC-2026-FDM-001": [
        (
            DemandeModification.Objet.EFFECTIF,
            "Ajout de deux places pour des candidats sur liste d’attente.",
            DemandeModification.Status.REFUSEE,
            "L’enveloppe du programme ne permet pas d’ajouter des places cette année.",
        )
    ],
}

DEMO_TRAINEES = [
    ("MARTIN", "Léa"),
    ("BERNARD", "Hugo"),
    ("ROUX", "Inès"),
    ("FOURNIER", "Nathan"),
    ("GIRARD", "Chloé"),
    ("BONNET", "Louis"),
    ("MERCIER", "Manon"),
    ("FABRE", "Lucas"),
    ("GARCIA", "Camille"),
    ("LOPEZ", "Théo"),
]

DEMO_REGION_AGENT = ("agent.region", User.Civilite.MADAME, "MARTIN", "Claire", "claire.martin@laregion.fr")
# Region agents must use a second factor: the demo agent's is known in advance
# (README, Demo accounts), to be typed in any authenticator app or given to
# `oathtool --totp -b`. Base32 of the TOTP key, and its recovery codes.
DEMO_TOTP_SECRET = "SIGMAFPDEMOAGENTREGIONOCCITANIE2"
DEMO_RECOVERY_CODES = [f"demo-code-{number:04d}" for number in range(1, 11)]


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
                load_demo_training(
                    organisme,
                    DEMO_ACTIONS[spec["siret"]],
                    timezone.localdate(),
                    last_period_pending=spec["siret"] == "98765432100007",
                )
            identifiant, civilite, last_name, first_name, email = DEMO_REGION_AGENT
            agent = self._ensure_account(
                identifiant, User.Kind.REGION_AGENT, None, civilite, last_name, first_name, email
            )
            if not two_factor.has_second_factor(agent):
                two_factor.install_known_second_factor(
                    agent, key=base64.b32decode(DEMO_TOTP_SECRET).hex(), recovery_codes=DEMO_RECOVERY_CODES
                )
            # A passkey to show in the agent's Clés d'accès: its key is no
            # authenticator's, so it signs no one in (demo data only).
            Passkey.objects.get_or_create(
                credential_id="demonstration-cle-agent-region",
                defaults={"user": agent, "name": "PC du bureau", "public_key": b"-", "user_handle": b"demo"},
            )
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))

    def _ensure_account(self, identifiant, kind, organisme, civilite, last_name, first_name, email):
        existing = User.objects.alive().with_identifiant(identifiant).first()
        if existing:
            return existing
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
        return account


def months_before(day, count):
    month = first_day_of_month(day)
    for _ in range(count):
        month = first_day_of_month(month - datetime.timedelta(days=1))
    return month


def load_demo_training(organisme, actions, today, *, last_period_pending=False):
    """Put the organisme's demo actions back as described, dated from `today`.

    Their inscriptions, periods, bilans, invoices and requests are rebuilt on
    every run: dates move with today, and so would their states otherwise.
    """
    now = timezone.now()
    # The seats awaiting entry are bulk inserted, which sends no signal.
    forget_dashboard(organisme.pk)
    for bdc, intitule, programme, lieu, start, end, closed, trainees, awaiting in actions:
        date_debut = months_before(today, 57) if start == "57 months" else today + datetime.timedelta(days=start)
        action, _ = ActionFormation.objects.update_or_create(
            numero_bdc=bdc,
            defaults={
                "organisme": organisme,
                "intitule": intitule,
                "programme": programme,
                "lieu": lieu,
                "date_debut": date_debut,
                "date_fin": today + datetime.timedelta(days=end),
                "places": max(trainees + awaiting, 8),
                "heures_prevues": 420,
                "closed_at": now if closed else None,
            },
        )
        for model in (DemandeModification, Facture, PeriodeDeclaration, Inscription):
            model.objects.filter(action=action).delete()

        inscriptions = [
            Inscription.objects.create(action=action, stagiaire=_demo_trainee(action, number), date_entree=date_debut)
            for number in range(trainees)
        ]
        Inscription.objects.bulk_create(Inscription(action=action) for _ in range(awaiting))

        months = []
        month = first_day_of_month(date_debut)
        last_month = min(first_day_of_month(action.date_fin), months_before(today, 1))
        while month <= last_month:
            months.append(month)
            month = first_day_of_month(month + datetime.timedelta(days=32))
        # The guide's action has all its periods waiting; elsewhere only FORMATIONS DU MIDI's last month.
        if start == "57 months":
            validated_months = []
        elif last_period_pending and not closed:
            validated_months = months[:-1]
        else:
            validated_months = months
        for month in months:
            periode = PeriodeDeclaration.objects.create(
                action=action,
                mois=month,
                validated_at=now if month in validated_months else None,
                validated_by_name="BLA PAU" if month in validated_months else "",
            )
            DeclarationHeures.objects.bulk_create(
                DeclarationHeures(periode=periode, inscription=inscription, heures=70) for inscription in inscriptions
            )

        _demo_bilans(action, inscriptions, today, now)
        _demo_invoices_and_requests(action, today)


def _demo_trainee(action, number):
    bdc = action.numero_bdc
    last_name, first_name = DEMO_TRAINEES[(len(bdc) + number) % len(DEMO_TRAINEES)]
    stagiaire, _ = Stagiaire.objects.get_or_create(
        organisme=action.organisme,
        # France Travail identifiants are letters and digits only, as the forms check.
        identifiant_france_travail=f"D{''.join(char for char in bdc[-9:] if char.isalnum())}{number}".upper(),
        defaults={"nom": last_name, "prenom": first_name, "date_naissance": datetime.date(1985 + number, 3, 14)},
    )
    return stagiaire


def _demo_bilans(action, inscriptions, today, now):
    """Trainees of an ended action left on its last day; each bilan due is, in
    turn, not started, a draft or validated (training/bilans.py)."""
    if today <= action.date_fin:
        return
    for number, inscription in enumerate(inscriptions):
        inscription.date_sortie = action.date_fin
        inscription.save(update_fields=["date_sortie"])
        for kind in Bilan.Kind:
            if not bilan_rules.is_due(kind, inscription.date_sortie, today):
                continue
            state = (number + len(kind)) % 3
            if state == 0:
                continue  # not started
            validated = state == 2
            values: dict[str, Any] = {"commentaire": "Entretien téléphonique avec le stagiaire." if validated else ""}
            if kind in bilan_rules.SITUATION_KINDS:
                values |= {
                    "situation": DEMO_SITUATIONS[number % len(DEMO_SITUATIONS)],
                    "date_situation": action.date_fin,
                }
            else:
                questions = bilan_rules.QUESTIONS[kind]
                answered = questions if validated else questions[:2]
                values["reponses"] = {
                    question.code: str(3 + (number + index) % 2) for index, question in enumerate(answered)
                }
            Bilan.objects.create(
                inscription=inscription,
                kind=kind,
                validated_at=now if validated else None,
                validated_by_name="BLA PAU" if validated else "",
                updated_by_name="BLA PAU",
                **values,
            )


DEMO_SITUATIONS = [Situation.CDI, Situation.EN_FORMATION, Situation.DEMANDEUR_EMPLOI, Situation.CDD_MOINS_6_MOIS]


def _demo_invoices_and_requests(action, today):
    for number, status in enumerate(DEMO_INVOICES.get(action.numero_bdc, []), start=1):
        rejected = status == Facture.Status.REJETEE
        facture = Facture.objects.create(
            action=action,
            numero=f"F-{action.numero_bdc[-9:]}-{number}",
            montant=8400 * number,
            status=status,
            rejected_on=today - datetime.timedelta(days=5) if rejected else None,
            rejection_reason="Le nombre d’heures facturées dépasse les heures validées." if rejected else "",
        )
        FactureEvent.objects.create(facture=facture, kind=FactureEvent.Kind.EMISE, by_name=DEMO_REGION_NAME)
        if status != Facture.Status.EN_ATTENTE_VALIDATION:
            FactureEvent.objects.create(
                facture=facture,
                kind=EVENT_OF_STATUS[status],
                by_name=DEMO_REGION_NAME,
                comment=facture.rejection_reason,
            )
    for objet, explication, request_status, reponse in DEMO_REQUESTS.get(action.numero_bdc, []):
        answered = request_status != DemandeModification.Status.EN_ATTENTE
        DemandeModification.objects.create(
            action=action,
            objet=objet,
            explication=explication,
            status=request_status,
            reponse=reponse,
            answered_at=timezone.now() if answered else None,
            answered_by_name=DEMO_REGION_NAME if answered else "",
        )
