from django import forms

from core.text import validate_multiline_text, validate_plain_text
from training.forms import VersionedForm
from training.models import ActionFormation, Facture


class ActionForm(forms.ModelForm):
    class Meta:
        model = ActionFormation
        fields = ["numero_bdc", "intitule", "programme", "lieu", "date_debut", "date_fin", "places", "heures_prevues"]
        labels = {
            "numero_bdc": "Numéro de BDC",
            "intitule": "Intitulé",
            "programme": "Programme",
            "lieu": "Lieu",
            "date_debut": "Date de début",
            "date_fin": "Date de fin",
            "places": "Nombre de places",
            "heures_prevues": "Heures prévues",
        }
        help_texts = {"date_debut": "JJ/MM/AAAA", "date_fin": "JJ/MM/AAAA"}
        error_messages = {"numero_bdc": {"unique": "Une action avec ce numéro de BDC existe déjà."}}

    def clean(self):
        cleaned = super().clean() or {}
        debut, fin = cleaned.get("date_debut"), cleaned.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error("date_fin", "La date de fin ne peut pas précéder la date de début.")
        return cleaned


class ActionUpdateForm(ActionForm):
    """The action's data, carrying the version it shows (core.versioning)."""

    version = VersionedForm.base_fields["version"]


class ActionClosingForm(VersionedForm):
    """Fermer / rouvrir l'action, based on the version the agent saw."""


class SeatsForm(forms.Form):
    nombre = forms.IntegerField(label="Nombre de places à annoncer", min_value=1, max_value=1000)


class InvoiceForm(forms.Form):
    numero = forms.CharField(label="Numéro de facture", max_length=40, validators=[validate_plain_text])
    montant = forms.DecimalField(label="Montant (€)", max_digits=12, decimal_places=2, min_value=0, localize=True)
    status = forms.ChoiceField(label="Statut", choices=Facture.Status.choices)


class InvoiceStatusForm(forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=Facture.Status.choices)
    motif = forms.CharField(
        label="Motif du rejet", required=False, max_length=2000, validators=[validate_multiline_text]
    )
    # The status the agent saw: the change applies only if it still holds.
    based_on_status = forms.ChoiceField(widget=forms.HiddenInput, choices=Facture.Status.choices)
