from django import forms
from django.utils.translation import gettext_lazy as _

from region.forms import SearchForm


class AccountSearchForm(forms.Form):
    """Comptes utilisateurs: the search over the organisme's accounts, as long
    as the Région's Recherche rapide allows."""

    q = forms.CharField(
        label=_("Rechercher un compte"),
        required=False,
        max_length=SearchForm.base_fields["q"].max_length,
        widget=forms.SearchInput,
    )
