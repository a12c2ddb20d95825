from django import forms

from core.text import SEARCH_MAX_LENGTH


class QuickSearchForm(forms.Form):
    """The header's Recherche rapide. Django's CharField refuses NUL
    characters (which PostgreSQL refuses) with an error next to the field."""

    q = forms.CharField(
        label="Numéro de BDC, intitulé, stagiaire ou compte",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.SearchInput,
        error_messages={
            "max_length": "Saisissez au plus %(limit_value)d caractères (vous en avez saisi %(show_value)d).",
        },
    )
