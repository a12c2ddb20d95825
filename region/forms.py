from django import forms

from accounts.forms import AccountForm
from core.text import SEARCH_MAX_LENGTH
from organisations.models import Organisme


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Recherche rapide", required=False, max_length=SEARCH_MAX_LENGTH, widget=forms.SearchInput
    )


class OrganismeCreationForm(forms.ModelForm):
    """The organisme's identity and its primary account, in one window."""

    # Long enough for the spaces often typed in a SIRET, which clean_siret drops;
    # the model then checks it (validate_siret, unique).
    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        help_text="14 chiffres.",
        error_messages={"unique": "Un organisme de formation avec ce SIRET existe déjà."},
    )
    # The "Gestion du compte" window's fields.
    civilite = AccountForm.base_fields["civilite"]
    last_name = AccountForm.base_fields["last_name"]
    first_name = AccountForm.base_fields["first_name"]
    email = AccountForm.base_fields["email"]

    ORGANISME_FIELDS = ("raison_sociale", "enseigne", "siret")
    ACCOUNT_FIELDS = ("civilite", "last_name", "first_name", "email")

    class Meta:
        model = Organisme
        fields = ["raison_sociale", "enseigne", "siret"]
        labels = {"raison_sociale": "Raison sociale", "enseigne": "Enseigne"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "Adresse du compte principal, qui recevra les accès."

    def clean_siret(self):
        return "".join(self.cleaned_data["siret"].split())

    def organisme_fields(self):
        return [self[name] for name in self.ORGANISME_FIELDS]

    def account_fields(self):
        return [self[name] for name in self.ACCOUNT_FIELDS]
