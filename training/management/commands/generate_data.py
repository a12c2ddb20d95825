"""Fill a database with many organismes and their training, to measure sigma
at the Region's scale (`--organismes 10000` is about 100,000 accounts, 50,000
actions, 500,000 inscriptions and 3 million declaration rows).

Organismes are generated and inserted a batch at a time, each batch in its own
transaction with bulk inserts, so time grows linearly and memory stays flat.
Every generated account has the password GENERATED_PASSWORD, hashed once.
"""

import datetime
import random
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from core.text import normalize_for_search
from organisations.models import Organisme
from organisations.validators import LA_POSTE_SIREN, luhn_check_digit
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

GENERATED_PASSWORD = "Charge-Sigma-2026!"
ORGANISMES_PER_BATCH = 100
INSERT_BATCH_SIZE = 2000

LAST_NAMES = [
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
    "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
    "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "FAURE", "ANDRÉ", "MERCIER",
    "GARCIA", "LOPEZ", "MARTINEZ", "SANCHEZ", "FABRE", "BOYER", "GAILLARD", "BARBIER", "ARNAUD", "CARRÉ",
]  # fmt: skip
FIRST_NAMES = [
    "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Louis", "Inès", "Nathan", "Camille", "Théo", "Jade", "Jules",
    "Emma", "Gabriel", "Zoé", "Arthur", "Sarah", "Raphaël", "Élodie", "Mathis", "Anaïs", "Noé", "Clément",
    "Margaux", "Yanis", "Océane", "Romain", "Pauline", "Karim", "Fatima",
]  # fmt: skip
CITIES = [
    "Toulouse", "Montpellier", "Nîmes", "Perpignan", "Béziers", "Montauban", "Narbonne", "Albi", "Carcassonne",
    "Sète", "Castres", "Rodez", "Tarbes", "Auch", "Cahors", "Foix", "Mende", "Millau", "Lunel", "Alès",
]  # fmt: skip
ORGANISME_KINDS = [
    "CENTRE DE FORMATION", "INSTITUT DE FORMATION", "ÉCOLE DES MÉTIERS", "ASSOCIATION", "GRETA",
    "CAMPUS", "ATELIER", "ACADÉMIE",
]  # fmt: skip
FIELDS = [
    "DU BÂTIMENT", "DU NUMÉRIQUE", "DE LA SANTÉ", "DU COMMERCE", "DE L’HÔTELLERIE", "DE L’INDUSTRIE",
    "DES SERVICES À LA PERSONNE", "DU TRANSPORT", "DE L’AGRICULTURE", "DES LANGUES",
]  # fmt: skip
TRAININGS = [
    "Titre professionnel Secrétaire assistant", "CAP Cuisine", "Titre professionnel Maçon",
    "Développeur web et web mobile", "Aide-soignant", "Conducteur de transport routier", "Savoirs de base",
    "Remobilisation et projet professionnel", "Anglais professionnel", "Agent de propreté et d’hygiène",
    "Titre professionnel Vendeur conseil", "Électricien d’équipement du bâtiment",
]  # fmt: skip
REQUEST_SUBJECTS = ["Report de la date de fin", "Changement de lieu", "Ajout de places", "Modification des horaires"]
INVOICE_STATUSES = [  # (status, weight)
    (Facture.Status.PAYEE, 50),
    (Facture.Status.EN_ATTENTE_VALIDATION, 20),
    (Facture.Status.EN_ATTENTE_EMISSION, 15),
    (Facture.Status.REJETEE, 10),
    (Facture.Status.SUSPENDUE, 5),
]


class Command(BaseCommand):
    help = "Génère des organismes, comptes et actions de formation en masse (mesures de performance)."

    def add_arguments(self, parser):
        parser.add_argument("--organismes", type=int, default=1000, help="Nombre d’organismes (1000 par défaut).")
        parser.add_argument("--seed", type=int, default=None, help="Graine du hasard, pour rejouer les mêmes données.")

    def handle(self, *args, organismes, seed, **options):
        if settings.PRODUCTION:
            raise CommandError("La génération de données ne se fait pas en production.")
        if organismes < 1:
            raise CommandError("--organismes doit être au moins 1.")
        started = time.monotonic()
        generator = DataGenerator(random.Random(seed), timezone.localdate())  # noqa: S311 (test data, seeded)
        for first in range(0, organismes, ORGANISMES_PER_BATCH):
            generator.generate_batch(min(ORGANISMES_PER_BATCH, organismes - first))
            self.stdout.write(f"{min(first + ORGANISMES_PER_BATCH, organismes)}/{organismes} organismes")
        self.stdout.write(
            self.style.SUCCESS(
                f"{organismes} organismes générés en {time.monotonic() - started:.1f} s "
                f"(mot de passe des comptes : {GENERATED_PASSWORD})."
            )
        )


def ascii_slug(text):
    return normalize_for_search(text).replace(" ", "-").replace("'", "")


class DataGenerator:
    def __init__(self, rng, today):
        self.rng = rng
        self.today = today
        # As the database stores it: the bilans go in through insert_rows.
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        # One hash for every account: Argon2 is slow on purpose.
        self.password_hash = make_password(GENERATED_PASSWORD)
        self.sirets = set(Organisme.objects.values_list("siret", flat=True))

    def insert(self, objects):
        if not objects:
            return objects
        return type(objects[0]).objects.bulk_create(objects, batch_size=INSERT_BATCH_SIZE)

    def insert_rows(self, model, fields, rows):
        """Insert plain tuples, for the tables whose rows need no id back:
        building millions of model instances was most of the generation time."""
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), INSERT_BATCH_SIZE):
                cursor.executemany(sql, rows[start : start + INSERT_BATCH_SIZE])

    @transaction.atomic
    def generate_batch(self, count):
        organismes = self.insert([self.organisme() for _ in range(count)])
        self.insert([account for organisme in organismes for account in self.accounts(organisme)])
        actions = self.insert([action for organisme in organismes for action in self.actions(organisme)])

        seats = [(action, number) for action in actions for number in range(self.rng.randint(8, 12))]
        stagiaires = self.insert([self.stagiaire(action, number) for action, number in seats])
        inscriptions = self.insert(
            [self.inscription(action, stagiaire) for (action, _), stagiaire in zip(seats, stagiaires, strict=True)]
        )
        trainees_by_action: dict[int, list[Any]] = {}
        for inscription in inscriptions:
            if inscription.stagiaire_id:
                trainees_by_action.setdefault(inscription.action_id, []).append(inscription)

        periodes = self.insert([periode for action in actions for periode in self.periodes(action)])
        self.insert_rows(
            DeclarationHeures,
            ["periode", "inscription", "heures"],
            [
                (periode.pk, inscription.pk, self.hours())
                for periode in periodes
                for inscription in trainees_by_action.get(periode.action_id, [])
            ],
        )
        self.insert_rows(
            Bilan,
            [
                "inscription",
                "kind",
                "situation",
                "situation_autre",
                "date_situation",
                "reponses",
                "commentaire",
                "validated_at",
                "validated_by_name",
                "version",
                "updated_at",
                "updated_by_name",
            ],
            [bilan for inscription in inscriptions for bilan in self.bilans(inscription)],
        )
        factures = self.insert([facture for action in actions for facture in self.factures(action)])
        self.insert([event for facture in factures for event in self.invoice_history(facture)])
        self.insert([demande for action in actions for demande in self.demandes(action)])
        # Bulk inserts send no signal; a database rebuilt under a kept cache may reuse these ids.
        forget_dashboard(*(organisme.pk for organisme in organismes))

    def organisme(self):
        city = self.rng.choice(CITIES)
        raison_sociale = f"{self.rng.choice(ORGANISME_KINDS)} {self.rng.choice(FIELDS)} DE {city.upper()}"
        enseigne = (
            "".join(word[0] for word in raison_sociale.split() if len(word) > 3) if self.rng.random() < 0.4 else ""
        )
        siret = self.siret()
        return Organisme(
            raison_sociale=raison_sociale,
            enseigne=enseigne,
            siret=siret,
            search_text=normalize_for_search(raison_sociale, enseigne, siret),
        )

    def siret(self):
        while True:
            body = "".join(self.rng.choice("0123456789") for _ in range(13))
            siret = body + luhn_check_digit(body)
            if not siret.startswith(LA_POSTE_SIREN) and siret not in self.sirets:
                self.sirets.add(siret)
                return siret

    def accounts(self, organisme):
        domain = f"{ascii_slug(organisme.raison_sociale.split(' DE ')[-1])}-{organisme.pk}.fr"
        for number in range(self.rng.randint(8, 12)):
            last_name, first_name = self.rng.choice(LAST_NAMES), self.rng.choice(FIRST_NAMES)
            # The organisme's id makes the identifiant unique, across runs too.
            identifiant = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}.{organisme.pk}.{number}"
            email = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}{number}@{domain}"
            roll = self.rng.random()
            yield User(
                identifiant=identifiant,
                civilite=self.rng.choice(User.Civilite.values),
                last_name=last_name,
                first_name=first_name,
                email=email,
                organisme=organisme,
                kind=User.Kind.PRIMARY if number == 0 else User.Kind.SECONDARY,
                password=self.password_hash,
                password_state=User.PasswordState.CHOSEN,
                is_blocked=number > 0 and roll < 0.03,
                failed_login_count=3 if number > 0 and roll < 0.03 else 0,
                is_active=not (number > 0 and 0.03 <= roll < 0.08),
                search_text=normalize_for_search(identifiant, last_name, first_name, email),
            )

    def actions(self, organisme):
        for number in range(self.rng.randint(3, 7)):
            date_debut = self.today + datetime.timedelta(days=self.rng.randint(-540, 60))
            date_fin = date_debut + datetime.timedelta(days=self.rng.randint(90, 360))
            ended_long_ago = date_fin < self.today - datetime.timedelta(days=30)
            closed_at = (
                datetime.datetime.combine(
                    date_fin + datetime.timedelta(days=20), datetime.time(10), tzinfo=datetime.UTC
                )
                if ended_long_ago and self.rng.random() < 0.7
                else None
            )
            yield ActionFormation(
                organisme=organisme,
                numero_bdc=f"BDC-{date_debut.year}-{organisme.pk:06d}-{number + 1:02d}",
                intitule=self.rng.choice(TRAININGS),
                programme=self.rng.choice(Programme.values),
                lieu=self.rng.choice(CITIES),
                date_debut=date_debut,
                date_fin=date_fin,
                places=self.rng.randint(12, 16),
                heures_prevues=self.rng.choice([210, 350, 420, 560, 700]),
                closed_at=closed_at,
            ).with_search_text()

    def stagiaire(self, action, number):
        return Stagiaire(
            organisme_id=action.organisme_id,
            nom=self.rng.choice(LAST_NAMES),
            prenom=self.rng.choice(FIRST_NAMES),
            date_naissance=datetime.date(
                self.rng.randint(1960, 2006), self.rng.randint(1, 12), self.rng.randint(1, 28)
            ),
            # The action's id makes it unique, across runs too.
            identifiant_france_travail=f"G{action.pk:09d}{number:02d}",
        ).with_search_text()

    def inscription(self, action, stagiaire):
        # Seats on actions not yet open often wait for their trainee.
        awaiting_entry = self.rng.random() < (0.4 if action.date_debut > self.today else 0.03)
        ended = action.date_fin < self.today
        return Inscription(
            action=action,
            stagiaire=None if awaiting_entry else stagiaire,
            date_entree=None if awaiting_entry else action.date_debut,
            date_sortie=action.date_fin if ended and not awaiting_entry else None,
        )

    def periodes(self, action):
        month = first_day_of_month(action.date_debut)
        last = min(first_day_of_month(action.date_fin), first_day_of_month(self.today))
        while month <= last:
            over = month < first_day_of_month(self.today)
            validated = over and (action.closed_at is not None or self.rng.random() < 0.85)
            yield PeriodeDeclaration(
                action=action,
                mois=month,
                validated_at=(
                    datetime.datetime.combine(month, datetime.time(9), tzinfo=datetime.UTC)
                    + datetime.timedelta(days=35)
                    if validated
                    else None
                ),
            )
            month = first_day_of_month(month + datetime.timedelta(days=32))

    def hours(self):
        return Decimal(self.rng.randint(0, 1400)) / 10

    def bilans(self, inscription):
        """The due bilans of an exited trainee: most validated, some drafts,
        a few not started (training/bilans.py says when each is due)."""
        if not inscription.date_sortie:
            return
        reponses = Bilan._meta.get_field("reponses")
        for kind in Bilan.Kind:
            if not bilan_rules.is_due(kind, inscription.date_sortie, self.today):
                continue
            draw = self.rng.random()
            if draw >= 0.9:
                continue  # not started
            validated = draw < 0.75
            known = inscription.date_sortie + datetime.timedelta(days=bilan_rules.DUE_AFTER_MONTHS[kind] * 30)
            is_situation = kind in bilan_rules.SITUATION_KINDS
            if is_situation:
                situation = self.rng.choice([choice for choice in Situation.values if choice != Situation.AUTRE])
                answers = {}
            else:
                situation = ""
                answers = {question.code: str(self.rng.randint(1, 4)) for question in bilan_rules.QUESTIONS[kind]}
            yield (
                inscription.pk,
                kind.value,
                situation,
                "",
                connection.ops.adapt_datefield_value(min(known, self.today)) if is_situation else None,
                reponses.get_db_prep_value(answers, connection),
                "",
                self.now if validated else None,
                "Compte généré" if validated else "",
                1,
                self.now,
                "",
            )

    def factures(self, action):
        if action.date_debut > self.today:
            return
        statuses, weights = zip(*INVOICE_STATUSES, strict=True)
        for number in range(1, self.rng.randint(1, 3) + 1):
            status = self.rng.choices(statuses, weights)[0]
            yield Facture(
                action=action,
                numero=f"F{action.pk:08d}-{number}",
                montant=Decimal(self.rng.randint(200_000, 4_000_000)) / 100,
                status=status,
                rejected_on=(
                    self.today - datetime.timedelta(days=self.rng.randint(0, 90))
                    if status == Facture.Status.REJETEE
                    else None
                ),
                rejection_reason="Montant différent du bon de commande." if status == Facture.Status.REJETEE else "",
            )

    def invoice_history(self, facture):
        """« Émise », then the line of its status (with the Région's reason for a rejection)."""
        yield FactureEvent(facture=facture, kind=FactureEvent.Kind.EMISE, by_name="Région Occitanie")
        if facture.status != Facture.Status.EN_ATTENTE_VALIDATION:
            yield FactureEvent(
                facture=facture,
                kind=EVENT_OF_STATUS[facture.status],
                by_name="Région Occitanie",
                comment=facture.rejection_reason,
            )

    def demandes(self, action):
        if self.rng.random() < 0.2:
            status = self.rng.choice(DemandeModification.Status.values)
            answered = status != DemandeModification.Status.EN_ATTENTE
            yield DemandeModification(
                action=action,
                objet=self.rng.choice(DemandeModification.Objet.values),
                explication=self.rng.choice(REQUEST_SUBJECTS),
                status=status,
                reponse="Réponse de la Région à la demande." if answered else "",
                answered_at=timezone.now() if answered else None,
                answered_by_name="Région Occitanie" if answered else "",
            )
