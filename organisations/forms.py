from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import SEARCH_MAX_LENGTH


class AccountSearchForm(forms.Form):
    """Comptes utilisateurs: the search over the organisme's accounts."""

    q = forms.CharField(
        label=_("Rechercher un compte"), required=False, max_length=SEARCH_MAX_LENGTH, widget=forms.SearchInput
    )
