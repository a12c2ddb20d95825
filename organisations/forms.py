from django import forms

from core.text import SEARCH_MAX_LENGTH


class AccountSearchForm(forms.Form):
    """Comptes utilisateurs: the search over the organisme's accounts."""

    q = forms.CharField(
        label="Rechercher un compte", required=False, max_length=SEARCH_MAX_LENGTH, widget=forms.SearchInput
    )
