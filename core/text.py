import unicodedata
from typing import Any

from django.db.models import Model, QuerySet

# The longest text a search box takes: SQLite refuses LIKE patterns over 50,000
# bytes, and nobody types more than a few words.
SEARCH_MAX_LENGTH = 200


def normalize_for_search(*values: str | None) -> str:
    """Lowercase, accents stripped, whitespace folded: "Émilie  DUPRÉ" -> "emilie dupre"."""
    text = " ".join(value for value in values if value)
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.casefold().split())


def holding_every_word[M: Model](queryset: QuerySet[M], query: str, *, field: str = "search_text") -> QuerySet[M]:
    """The rows whose `field` (made by normalize_for_search) holds every word
    of `query`, whatever their accents and case: the one search of sigma."""
    for word in normalize_for_search(query).split():
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


# Spreadsheets run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> str:
    """`value` as a CSV cell a spreadsheet shows as text and never runs."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
