"""The training the Region buys: actions (one per bon de commande), their
trainees and inscriptions, monthly declarations of hours, bilans, invoices
and change requests. The dashboard counts what is pending here."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone

from core.text import normalize_for_search, validate_plain_text
from core.versioning import VersionedModel


class Programme(models.TextChoices):
    QUALIF_PRO = "qualif_pro", "QUALIF PRO"
    PROJET_PRO = "projet_pro", "PROJET PRO"
    LECTIO = "lectio", "LECTIO"
    AVENIR = "avenir", "AVENIR"

    @property
    def contact_email(self) -> str:
        """The Région's address for questions on the data of this programme's
        BDC (guide, « Contacts et assistance »)."""
        return PROGRAMME_CONTACTS[self]


PROGRAMME_CONTACTS = {
    Programme.QUALIF_PRO: "qualifpro@laregion.fr",
    Programme.PROJET_PRO: "projetpro@laregion.fr",
    Programme.LECTIO: "lectio@laregion.fr",
    Programme.AVENIR: "avenir@laregion.fr",
}

# What each model's search_text is made of, in this order (the data
# migration training/0006 reads the same lists).
ACTION_SEARCHED_FIELDS = ("numero_bdc", "intitule")
TRAINEE_SEARCHED_FIELDS = ("nom", "prenom", "identifiant_france_travail")


class SearchTextMixin(models.Model):
    """A `search_text` column, lowercased and without accents, kept in step
    with SEARCHED_FIELDS on every save: the Recherche rapide reads it
    (core.text.holding_every_word). bulk_create skips save(): its callers
    call with_search_text() on each row."""

    SEARCHED_FIELDS: tuple[str, ...] = ()
    search_text = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.with_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def with_search_text(self):
        self.search_text = self.search_text_with({})
        return self

    def search_text_with(self, changes: dict) -> str:
        """The search text once `changes` are written: for the UPDATEs that skip save()."""
        return normalize_for_search(*(changes.get(field, getattr(self, field)) for field in self.SEARCHED_FIELDS))


class ActionState(models.TextChoices):
    EN_ATTENTE_OUVERTURE = "en_attente_ouverture", "En attente d’ouverture"
    EN_COURS = "en_cours", "En cours"
    EN_RETARD_FERMETURE = "en_retard_fermeture", "En retard de fermeture"
    FERMEE = "fermee", "Fermée"


def first_day_of_month(day):
    return day.replace(day=1)


class ActionQuerySet(models.QuerySet):
    @staticmethod
    def state_condition(state, today):
        """The SQL condition for a derived state, so that lists and counts filter in the database."""
        open_ = Q(closed_at__isnull=True)
        return {
            ActionState.FERMEE: Q(closed_at__isnull=False),
            ActionState.EN_ATTENTE_OUVERTURE: open_ & Q(date_debut__gt=today),
            ActionState.EN_COURS: open_ & Q(date_debut__lte=today, date_fin__gte=today),
            ActionState.EN_RETARD_FERMETURE: open_ & Q(date_fin__lt=today),
        }[state]

    def in_state(self, state, today=None):
        return self.filter(self.state_condition(state, today or timezone.localdate()))


class ActionFormation(SearchTextMixin, VersionedModel):
    """An action de formation, bought through one bon de commande (BDC)."""

    SEARCHED_FIELDS = ACTION_SEARCHED_FIELDS

    organisme = models.ForeignKey(
        "organisations.Organisme", verbose_name="organisme", on_delete=models.PROTECT, related_name="actions"
    )
    numero_bdc = models.CharField("numéro de BDC", max_length=30, unique=True, validators=[validate_plain_text])
    intitule = models.CharField("intitulé", max_length=255, validators=[validate_plain_text])
    programme = models.CharField("programme", max_length=20, choices=Programme)
    lieu = models.CharField("lieu", max_length=255, validators=[validate_plain_text])
    date_debut = models.DateField("date de début")
    date_fin = models.DateField("date de fin")
    places = models.PositiveIntegerField("nombre de places")
    heures_prevues = models.PositiveIntegerField("heures prévues")
    closed_at = models.DateTimeField("fermée le", null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action de formation"
        verbose_name_plural = "actions de formation"
        ordering = ["-date_debut", "numero_bdc"]
        indexes = [models.Index(fields=["organisme", "date_debut", "date_fin"])]
        constraints = [
            models.CheckConstraint(condition=Q(date_fin__gte=models.F("date_debut")), name="action_ends_after_start")
        ]

    def __str__(self):
        return f"{self.numero_bdc} - {self.intitule}"

    @property
    def programme_contact(self) -> str:
        """Whom the organisme writes to about this BDC's data: its programme's address."""
        return Programme(self.programme).contact_email

    def state(self, today=None):
        today = today or timezone.localdate()
        if self.closed_at:
            return ActionState.FERMEE
        if today < self.date_debut:
            return ActionState.EN_ATTENTE_OUVERTURE
        if today <= self.date_fin:
            return ActionState.EN_COURS
        return ActionState.EN_RETARD_FERMETURE


def identity(nom: str, prenom: str, date_naissance: datetime.date) -> tuple[str, str, datetime.date]:
    """What makes two entries of an identifiant France Travail the same person:
    the one rule of the inscription form and the CSV import."""
    return (nom.casefold(), prenom.casefold(), date_naissance)


def normalize_identifiant_france_travail(value: str) -> str:
    """The identifiant as stored: without spaces, in capitals, letters and
    digits only. The inscription form and the CSV import both check it here."""
    normalized = "".join(value.split()).upper()
    if not (normalized.isascii() and normalized.isalnum()):
        raise ValidationError(
            "L’identifiant France Travail ne contient que des lettres et des chiffres.", code="invalid"
        )
    return normalized


class Stagiaire(SearchTextMixin, models.Model):
    """A trainee (job seeker) as one organisme entered them. Each organisme
    has its own record of a person, even one another organisme also trains:
    nothing an organisme types or is told depends on another's trainees
    (README, « Un stagiaire par organisme »)."""

    SEARCHED_FIELDS = TRAINEE_SEARCHED_FIELDS

    organisme = models.ForeignKey(
        "organisations.Organisme", verbose_name="organisme", on_delete=models.PROTECT, related_name="stagiaires"
    )
    nom = models.CharField("nom", max_length=150, validators=[validate_plain_text])
    prenom = models.CharField("prénom", max_length=150, validators=[validate_plain_text])
    date_naissance = models.DateField("date de naissance")
    identifiant_france_travail = models.CharField("identifiant France Travail", max_length=20)

    class Meta:
        verbose_name = "stagiaire"
        ordering = ["nom", "prenom"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisme", "identifiant_france_travail"], name="one_trainee_per_identifiant_and_organisme"
            )
        ]

    def __str__(self):
        return f"{self.nom} {self.prenom}"

    @property
    def identity(self):
        return identity(self.nom, self.prenom, self.date_naissance)


class Inscription(VersionedModel):
    """A seat on an action. Without a trainee it is "en attente de saisie":
    the Region announced the seat, the organisme has not entered who takes it."""

    action = models.ForeignKey(ActionFormation, on_delete=models.CASCADE, related_name="inscriptions")
    stagiaire = models.ForeignKey(
        Stagiaire, on_delete=models.PROTECT, related_name="inscriptions", null=True, blank=True
    )
    date_entree = models.DateField("date d’entrée", null=True, blank=True)
    date_sortie = models.DateField("date de sortie", null=True, blank=True)

    class Meta:
        verbose_name = "inscription"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "stagiaire"],
                condition=Q(stagiaire__isnull=False),
                name="one_inscription_per_trainee_and_action",
            )
        ]

    def __str__(self):
        return f"{self.action.numero_bdc} - {self.stagiaire or 'en attente de saisie'}"

    @property
    def awaiting_entry(self):
        return self.stagiaire_id is None


def pending_period(today):
    """The one rule for a pending declaration period: its month is over and it
    is not validated. The dashboard counts, the "à traiter" filter and the BDC
    page all read it from here."""
    return Q(validated_at__isnull=True, mois__lt=first_day_of_month(today))


class PeriodeDeclarationQuerySet(models.QuerySet):
    def pending(self, today):
        return self.filter(pending_period(today))

    def with_pending(self, today):
        """Each period with `is_pending`, as of `today`."""
        return self.annotate(is_pending=ExpressionWrapper(pending_period(today), output_field=models.BooleanField()))


class PeriodeDeclaration(VersionedModel):
    """A month of an action for which the organisme declares the hours each
    trainee did, then validates the declaration."""

    action = models.ForeignKey(ActionFormation, on_delete=models.CASCADE, related_name="periodes")
    mois = models.DateField("mois", help_text="Premier jour du mois déclaré.")
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by_name = models.CharField("validée par", max_length=320, blank=True)

    objects = PeriodeDeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = "période de déclaration de réalisation"
        verbose_name_plural = "périodes de déclaration de réalisation"
        ordering = ["mois"]
        constraints = [
            models.UniqueConstraint(fields=["action", "mois"], name="one_period_per_action_and_month"),
            models.CheckConstraint(condition=Q(mois__day=1), name="period_starts_on_first_day_of_month"),
        ]

    def __str__(self):
        return f"{self.action.numero_bdc} - {self.mois:%m/%Y}"

    @property
    def is_validated(self):
        return self.validated_at is not None


class DeclarationHeures(models.Model):
    """Hours a trainee did in a declaration period."""

    periode = models.ForeignKey(PeriodeDeclaration, on_delete=models.CASCADE, related_name="declarations")
    inscription = models.ForeignKey(Inscription, on_delete=models.CASCADE, related_name="declarations")
    heures = models.DecimalField("heures réalisées", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "heures déclarées"
        verbose_name_plural = "heures déclarées"
        constraints = [
            models.UniqueConstraint(fields=["periode", "inscription"], name="one_declaration_per_trainee_and_period"),
            models.CheckConstraint(condition=Q(heures__gte=0), name="declared_hours_not_negative"),
        ]

    def __str__(self):
        return f"{self.inscription} - {self.heures} h"


class Situation(models.TextChoices):
    """Where the trainee stands at a bilan de situation: the closed list of the
    Région's programmes (the six « en emploi » ones first)."""

    CDI = "cdi", "En emploi : CDI"
    CDD_6_MOIS_ET_PLUS = "cdd_6_mois_et_plus", "En emploi : CDD de 6 mois et plus"
    CDD_MOINS_6_MOIS = "cdd_moins_6_mois", "En emploi : CDD de moins de 6 mois"
    INTERIM = "interim", "En emploi : intérim"
    CONTRAT_AIDE = "contrat_aide", "En emploi : contrat aidé"
    CREATION_ENTREPRISE = "creation_entreprise", "En emploi : création d’entreprise"
    EN_FORMATION = "en_formation", "En formation"
    DEMANDEUR_EMPLOI = "demandeur_emploi", "Demandeur d’emploi"
    AUTRE = "autre", "Autre"


class Bilan(VersionedModel):
    """A bilan de situation (à la sortie, à 3 et 6 mois), a bilan de
    satisfaction or a questionnaire de suivi of one inscription: a draft until
    validated. What is due and pending is decided in training/bilans.py."""

    class Kind(models.TextChoices):
        SITUATION_SORTIE = "situation_sortie", "Bilan de situation à la sortie"
        SITUATION_3_MOIS = "situation_3_mois", "Bilan de situation à 3 mois"
        SITUATION_6_MOIS = "situation_6_mois", "Bilan de situation à 6 mois"
        SATISFACTION = "satisfaction", "Bilan de satisfaction"
        QUESTIONNAIRE_SUIVI = "questionnaire_suivi", "Questionnaire de suivi"

    inscription = models.ForeignKey(Inscription, on_delete=models.CASCADE, related_name="bilans")
    kind = models.CharField("type", max_length=30, choices=Kind)
    # Bilans de situation.
    situation = models.CharField("situation", max_length=30, choices=Situation, blank=True)
    situation_autre = models.CharField("précision", max_length=255, blank=True, validators=[validate_plain_text])
    date_situation = models.DateField("situation connue le", null=True, blank=True)
    # Satisfaction and follow-up questionnaires: {question code: answer 1 to 4}.
    reponses = models.JSONField("réponses", default=dict, blank=True)
    commentaire = models.TextField("commentaire", max_length=2000, blank=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by_name = models.CharField("validé par", max_length=320, blank=True)

    class Meta:
        verbose_name = "bilan"
        constraints = [models.UniqueConstraint(fields=["inscription", "kind"], name="one_bilan_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} - {self.inscription}"

    @property
    def is_validated(self):
        return self.validated_at is not None


class FactureQuerySet(models.QuerySet["Facture"]):
    def in_list_state(self, statut: str, today: datetime.date) -> "FactureQuerySet":
        """The invoices MA FACTURATION counts under `statut` and its link lists."""
        return self.filter(invoice_state_condition(statut, today))


class Facture(VersionedModel):
    class Status(models.TextChoices):
        EN_ATTENTE_VALIDATION = "en_attente_validation", "En attente de validation"
        REJETEE = "rejetee", "Rejetée"
        EN_ATTENTE_EMISSION = "en_attente_emission", "En attente d’émission"
        SUSPENDUE = "suspendue", "Suspendue"
        PAYEE = "payee", "Payée"

    action = models.ForeignKey(ActionFormation, on_delete=models.CASCADE, related_name="factures")
    numero = models.CharField("numéro de facture", max_length=40, validators=[validate_plain_text])
    montant = models.DecimalField("montant", max_digits=12, decimal_places=2)
    status = models.CharField("statut", max_length=30, choices=Status)
    rejected_on = models.DateField("rejetée le", null=True, blank=True)
    rejection_reason = models.TextField("motif du rejet", blank=True)
    # Who recorded it; the name stays when the account goes.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by_name = models.CharField("enregistrée par", max_length=320, blank=True)

    objects = FactureQuerySet.as_manager()

    class Meta:
        verbose_name = "facture"
        constraints = [
            models.UniqueConstraint(fields=["action", "numero"], name="unique_invoice_number_per_action"),
            models.CheckConstraint(
                condition=Q(status="rejetee", rejected_on__isnull=False) | ~Q(status="rejetee"),
                name="rejected_invoice_has_its_date",
            ),
        ]

    def __str__(self):
        return f"{self.numero} ({self.get_status_display()})"

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJETEE


class FactureEvent(models.Model):
    """One line of an invoice's history: what happened to it, when, by whom,
    and the Région's reason when it rejected it."""

    class Kind(models.TextChoices):
        EMISE = "emise", "Émise"
        VALIDEE = "validee", "Validée"
        REJETEE = "rejetee", "Rejetée"
        SUSPENDUE = "suspendue", "Suspendue"
        PAYEE = "payee", "Payée"
        CORRIGEE = "corrigee", "Corrigée et soumise à nouveau"
        REMISE_EN_ATTENTE = "remise_en_attente", "Remise en attente de validation"

    facture = models.ForeignKey(Facture, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=30, choices=Kind)
    at = models.DateTimeField("date", default=timezone.now)
    by_name = models.CharField("par", max_length=320, blank=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "événement d’une facture"
        verbose_name_plural = "historique des factures"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.facture.numero} - {self.get_kind_display()}"


# The history line each status a Région agent gives an invoice writes.
EVENT_OF_STATUS = {
    Facture.Status.EN_ATTENTE_VALIDATION: FactureEvent.Kind.REMISE_EN_ATTENTE,
    Facture.Status.REJETEE: FactureEvent.Kind.REJETEE,
    Facture.Status.EN_ATTENTE_EMISSION: FactureEvent.Kind.VALIDEE,
    Facture.Status.SUSPENDUE: FactureEvent.Kind.SUSPENDUE,
    Facture.Status.PAYEE: FactureEvent.Kind.PAYEE,
}


class DemandeModificationQuerySet(models.QuerySet["DemandeModification"]):
    def pending(self) -> "DemandeModificationQuerySet":
        """The one rule for a demande waiting for the Région: the home pages
        count these and their links list these."""
        return self.filter(status=DemandeModification.Status.EN_ATTENTE)


class DemandeModification(VersionedModel):
    """A change an organisme asks the Région to make to one of its actions
    (dates, effectif, lieu, contenu...), then the Région's answer."""

    class Objet(models.TextChoices):
        DATES = "dates", "Dates de l’action"
        EFFECTIF = "effectif", "Effectif"
        LIEU = "lieu", "Lieu de formation"
        CONTENU = "contenu", "Contenu de la formation"
        AUTRE = "autre", "Autre"

    class Status(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente de traitement"
        ACCEPTEE = "acceptee", "Acceptée"
        REFUSEE = "refusee", "Refusée"

    action = models.ForeignKey(ActionFormation, on_delete=models.CASCADE, related_name="demandes")
    objet = models.CharField("objet", max_length=20, choices=Objet)
    explication = models.TextField("explication")
    status = models.CharField("statut", max_length=20, choices=Status, default=Status.EN_ATTENTE)
    created_at = models.DateTimeField("déposée le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField("déposée par", max_length=320, blank=True)
    reponse = models.TextField("commentaire de la Région", blank=True)
    answered_at = models.DateTimeField("traitée le", null=True, blank=True)
    answered_by_name = models.CharField("traitée par", max_length=320, blank=True)

    objects = DemandeModificationQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de modification"
        verbose_name_plural = "demandes de modification"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.action.numero_bdc} - {self.get_objet_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.EN_ATTENTE


REJECTION_WINDOW = datetime.timedelta(days=30)


def recently_rejected(today):
    """Invoices rejected within REJECTION_WINDOW of `today`: what the home page
    counts and what the invoice list shows for "Rejetée"."""
    return Q(status=Facture.Status.REJETEE, rejected_on__gt=today - REJECTION_WINDOW)


def invoice_state_condition(statut: str, today: datetime.date) -> Q:
    """The invoices MA FACTURATION counts under `statut`: the one definition
    of its counts and of the lists they link to."""
    if statut == Facture.Status.REJETEE:
        return recently_rejected(today)
    return Q(status=statut)
