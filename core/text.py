import unicodedata


def normalize_for_search(*values):
    """Lowercase, accents stripped, whitespace folded: "Émilie  DUPRÉ" -> "emilie dupre"."""
    text = " ".join(value for value in values if value)
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.casefold().split())
