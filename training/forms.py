from django import forms

from core.text import validate_plain_text
from training.models import ActionState, Facture, Programme, normalize_identifiant_france_travail


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
