import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet


def plural(singular: str, plural_form: str, count: int) -> str:
    """The French form for `count`: singular for 0 and 1 ("0 courriel", "1 courriel"), plural from 2."""
    return singular if abs(count) < 2 else plural_form


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


# Characters no typed text needs and that change what others see: C0 and C1
# control characters (a CR/LF reaches e-mail headers) and the bidirectional
# formatting ones (U+202E shows "RICHARD" as "DRAHCIR" in lists and exports).
# sigma has no multi-line field; one would keep TAB, LF and CR.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def invisible_characters(value: str) -> list[str]:
    """The characters of `value` that plain text refuses, as U+XXXX, once each."""
    return list(dict.fromkeys(f"U+{ord(char):04X}" for char in _INVISIBLE.findall(value)))


def invisible_characters_error(value: str) -> str | None:
    """What is wrong with `value`, to follow "Ce texte" or "Ligne 3, colonne nom :"; None if nothing."""
    found = invisible_characters(value)
    if not found:
        return None
    return "contient un caractère invisible ou de contrôle (%(codes)s) : retirez-le." % {"codes": ", ".join(found)}


def validate_plain_text(value: str) -> None:
    """The validator of every free-text field (names, intitulés, identifiants):
    forms and models use it, the CSV import its message."""
    problem = invisible_characters_error(value)
    if problem:
        raise ValidationError("Ce texte %(problem)s" % {"problem": problem}, code="invisible_character")


def without_invisible_characters(value: str) -> str:
    """`value` cleaned for plain text: control whitespace (CR, LF, TAB...)
    becomes a space, the other refused characters go; for stored values
    written before the rule."""
    cleaned = _INVISIBLE.sub(lambda match: " " if match.group().isspace() else "", value)
    return " ".join(cleaned.split()) if cleaned != value else value


def validate_multiline_text(value: str) -> None:
    """The validator of a free comment on several lines: plain text that may
    also hold line breaks and tabs."""
    problem = invisible_characters_error(value.replace("\r", "").replace("\n", "").replace("\t", ""))
    if problem:
        raise ValidationError(f"Ce texte {problem}", code="invisible_character")
