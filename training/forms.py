from django import forms
from django.utils import timezone

from core.text import invisible_characters, validate_multiline_text, validate_plain_text
from training import bilans as bilan_rules
from training.models import (
    ActionState,
    Bilan,
    DemandeModification,
    Facture,
    Programme,
    Situation,
    normalize_identifiant_france_travail,
)


class VersionedForm(forms.Form):
    """Carries the version of the record the user started from (core.versioning)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionFilterForm(forms.Form):
    TO_HANDLE = {
        "inscriptions": "Inscriptions en attente de saisie",
        "declarations": "Déclarations de réalisation à valider",
        "situation_sortie": "Bilans de situation à la sortie",
        "situation_3_mois": "Bilans de situation à 3 mois",
        "situation_6_mois": "Bilans de situation à 6 mois",
        "satisfaction": "Bilans de satisfaction",
        "questionnaire_suivi": "Questionnaires de suivi",
        "demandes": "Demandes de modification en attente",
    }

    q = forms.CharField(label="N° de BDC ou intitulé", required=False, max_length=255)
    etat = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *ActionState.choices])
    programme = forms.ChoiceField(label="Programme", required=False, choices=[("", "Tous"), *Programme.choices])
    a_traiter = forms.ChoiceField(label="À traiter", required=False, choices=[("", "Tout"), *list(TO_HANDLE.items())])

    def clean_q(self):
        # PostgreSQL refuses NUL characters in a query: drop them rather than fail.
        return self.cleaned_data["q"].replace("\x00", "").strip()


class InvoiceFilterForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous"), *Facture.Status.choices])


class InscriptionForm(VersionedForm):
    nom = forms.CharField(label="Nom", max_length=150, validators=[validate_plain_text])
    prenom = forms.CharField(label="Prénom", max_length=150, validators=[validate_plain_text])
    date_naissance = forms.DateField(label="Date de naissance", help_text="Au format JJ/MM/AAAA.")
    identifiant_france_travail = forms.CharField(label="Identifiant France Travail", max_length=20)
    date_entree = forms.DateField(label="Date d’entrée", help_text="Au format JJ/MM/AAAA.")
    date_sortie = forms.DateField(label="Date de sortie", required=False, help_text="Au format JJ/MM/AAAA.")

    def __init__(self, *args, action, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)

    def clean_identifiant_france_travail(self):
        return normalize_identifiant_france_travail(self.cleaned_data["identifiant_france_travail"])

    def clean(self):
        cleaned_data = super().clean() or {}
        entree, sortie = cleaned_data.get("date_entree"), cleaned_data.get("date_sortie")
        action = self.action
        if entree and not action.date_debut <= entree <= action.date_fin:
            self.add_error(
                "date_entree",
                forms.ValidationError(
                    "La date d’entrée doit être comprise entre le %(debut)s et le %(fin)s, dates de l’action."
                    % {"debut": f"{action.date_debut:%d/%m/%Y}", "fin": f"{action.date_fin:%d/%m/%Y}"},
                    code="outside_action",
                ),
            )
        if entree and sortie and sortie < entree:
            self.add_error(
                "date_sortie",
                forms.ValidationError(
                    "La date de sortie ne peut pas précéder la date d’entrée.", code="exit_before_entry"
                ),
            )
        return cleaned_data


class HoursForm(VersionedForm):
    """One field per trainee of the action: the hours done in the period."""

    def __init__(self, *args, inscriptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.inscriptions = list(inscriptions)
        for inscription in self.inscriptions:
            self.fields[self.field_name(inscription)] = forms.DecimalField(
                label=str(inscription.stagiaire),
                required=False,
                min_value=0,
                max_digits=5,
                decimal_places=1,
                localize=True,
                error_messages={"min_value": "Le nombre d’heures ne peut pas être négatif."},
            )

    @staticmethod
    def field_name(inscription):
        return f"heures_{inscription.pk}"

    def hours_by_inscription(self):
        return {inscription.pk: self.cleaned_data[self.field_name(inscription)] for inscription in self.inscriptions}


class PeriodValidationForm(VersionedForm):
    pass


# Demandes de modification and invoices (training/demande_views.py, training/invoice_views.py).

EXPLANATION_MAX_LENGTH = 2000


class DemandeForm(forms.Form):
    objet = forms.ChoiceField(
        label="Objet de la demande",
        choices=[("", "Choisissez l’objet"), *DemandeModification.Objet.choices],
        error_messages={
            "required": "Choisissez l’objet de la demande.",
            "invalid_choice": "Choisissez l’objet de la demande dans la liste.",
        },
    )
    explication = forms.CharField(
        label="Explication",
        help_text="Ce que vous demandez de modifier et pourquoi, en 2\u00a0000 caractères au plus.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=EXPLANATION_MAX_LENGTH,
        validators=[validate_multiline_text],
        error_messages={
            "required": "Expliquez votre demande.",
            "max_length": "L’explication tient en 2\u00a0000 caractères au plus (%(show_value)d saisis).",
        },
    )


class DemandeAnswerForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("accepter", "Accepter la demande"), ("refuser", "Refuser la demande")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez d’accepter ou de refuser la demande."},
    )
    reponse = forms.CharField(
        label="Commentaire",
        help_text="L’organisme le lit avec votre décision, sur la demande et dans le courriel qu’il reçoit.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=EXPLANATION_MAX_LENGTH,
        validators=[validate_multiline_text],
        error_messages={
            "required": "Écrivez un commentaire pour l’organisme.",
            "max_length": "Le commentaire tient en 2\u00a0000 caractères au plus (%(show_value)d saisis).",
        },
    )


class DemandeFilterForm(forms.Form):
    statut = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous"), *DemandeModification.Status.choices]
    )


class AmountField(forms.DecimalField):
    """An amount in euros as the French type it: "12 500,00", spaces and all."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).removesuffix("€")
        return super().to_python(value)


class InvoiceCorrectionForm(VersionedForm):
    numero = forms.CharField(label="Numéro de facture", max_length=40, validators=[validate_plain_text])
    montant = AmountField(
        label="Montant (€)",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        localize=True,
        error_messages={
            "invalid": "Saisissez un montant, par exemple 12\u00a0500,00.",
            "min_value": "Le montant ne peut pas être négatif.",
        },
    )


# Bilans and questionnaires (training/bilans.py).

BILAN_LIST_TITLES = {
    "situation_sortie": "Bilans de situation à la sortie en attente",
    "situation_3_mois": "Bilans de situation à 3 mois en attente",
    "situation_6_mois": "Bilans de situation à 6 mois en attente",
    "satisfaction": "Bilans de satisfaction en attente",
    "questionnaire_suivi": "Questionnaires de suivi en attente",
}


class BilanListFilterForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=list(BILAN_LIST_TITLES.items()))


SITUATION_CHOICES = [
    ("", "—"),
    (
        "En emploi",
        [
            (value, label.removeprefix("En emploi : "))
            for value, label in Situation.choices
            if label.startswith("En emploi")
        ],
    ),
    *[(value, label) for value, label in Situation.choices if not label.startswith("En emploi")],
]


def _refuse_invisible_characters(value: str) -> str:
    # A comment may run over several lines: only those line breaks and tabs are allowed.
    if invisible_characters(value.replace("\r", "").replace("\n", "").replace("\t", "")):
        raise forms.ValidationError(
            "Ce texte contient un caractère invisible ou de contrôle : retirez-le.", code="invisible_character"
        )
    return value.strip()


class BilanForm(forms.Form):
    """A bilan de situation, or the answers of a questionnaire, per its kind.
    Nothing is required for a draft; validating asks for what is missing."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, kind: str, exit_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.exit_date = exit_date
        if kind in bilan_rules.SITUATION_KINDS:
            self.fields["situation"] = forms.ChoiceField(
                label="Situation du stagiaire", choices=SITUATION_CHOICES, required=False
            )
            self.fields["situation_autre"] = forms.CharField(
                label="Précision (situation « Autre »)",
                max_length=255,
                required=False,
                validators=[validate_plain_text],
            )
            self.fields["date_situation"] = forms.DateField(
                label="Situation connue le", required=False, help_text="Au format JJ/MM/AAAA."
            )
        else:
            for question in bilan_rules.QUESTIONS[Bilan.Kind(kind)]:
                self.fields[self.question_field(question.code)] = forms.ChoiceField(
                    label=question.text,
                    choices=bilan_rules.SCALES[Bilan.Kind(kind)],
                    required=False,
                    widget=forms.RadioSelect,
                )
        self.fields["commentaire"] = forms.CharField(
            label="Commentaire", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
        )

    @staticmethod
    def question_field(code: str) -> str:
        return f"q_{code}"

    def clean_commentaire(self):
        return _refuse_invisible_characters(self.cleaned_data["commentaire"])

    def clean_date_situation(self):
        day = self.cleaned_data["date_situation"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.", code="future")
        return day

    def clean(self):
        cleaned_data = super().clean() or {}
        if cleaned_data.get("situation") not in ("", None, "autre") and cleaned_data.get("situation_autre"):
            # The precision is for « Autre » only: kept out of any other situation.
            cleaned_data["situation_autre"] = ""
        return cleaned_data

    def to_data(self) -> dict:
        """The bilan's stored fields, as the actions take them."""
        data = {
            name: self.cleaned_data.get(name)
            for name in ("situation", "situation_autre", "date_situation", "commentaire")
        }
        if self.kind in bilan_rules.QUESTIONNAIRE_KINDS:
            data["reponses"] = {
                question.code: self.cleaned_data[self.question_field(question.code)]
                for question in bilan_rules.QUESTIONS[Bilan.Kind(self.kind)]
                if self.cleaned_data.get(self.question_field(question.code))
            }
        return data

    @classmethod
    def stored_values(cls, kind: str, bilan: Bilan | None) -> dict:
        """The form's values of a stored bilan (empty before the first save)."""
        if kind in bilan_rules.SITUATION_KINDS:
            values = {
                "situation": bilan.situation if bilan else "",
                "situation_autre": bilan.situation_autre if bilan else "",
                "date_situation": bilan.date_situation if bilan else None,
            }
        else:
            answers = bilan.reponses if bilan else {}
            values = {
                cls.question_field(question.code): answers.get(question.code, "")
                for question in bilan_rules.QUESTIONS[Bilan.Kind(kind)]
            }
        return values | {"commentaire": bilan.commentaire if bilan else ""}

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages_ in errors.items():
            for message in messages_:
                self.add_error(name if name in self.fields else None, message)
