from django import forms
from django.db.models import F, QuerySet

from accounts import bulk_creation
from accounts.models import User
from accounts.two_factor import with_second_factor_state
from core.csv_files import UnreadableFile, size_error
from core.text import SEARCH_MAX_LENGTH, holding_every_word

# Tri: the column's name in the address, and the order it stands for; "-" before it reverses it.
ACCOUNT_SORTS = {
    "gestionnaire": ("last_name", "first_name"),
    "identifiant": ("identifiant",),
    "derniere_connexion": ("last_login",),
}
DEFAULT_SORT = "gestionnaire"


class AccountFilterForm(forms.Form):
    """Comptes utilisateurs: the search, filters and order of the organisme's
    accounts, the same for the list and its CSV export."""

    q = forms.CharField(
        label="Rechercher un compte", required=False, max_length=SEARCH_MAX_LENGTH, widget=forms.SearchInput
    )
    statut = forms.ChoiceField(
        label="Statut du compte",
        required=False,
        choices=[("", "Tous"), ("actif", "Actif"), ("desactive", "Désactivé")],
        error_messages={"invalid_choice": "Sélectionnez un statut de la liste."},
    )
    blocage = forms.ChoiceField(
        label="Blocage du compte",
        required=False,
        choices=[("", "Tous"), ("bloque", "Bloqué"), ("debloque", "Débloqué")],
        error_messages={"invalid_choice": "Sélectionnez un état de blocage de la liste."},
    )
    double_authentification = forms.ChoiceField(
        label="Double authentification",
        required=False,
        choices=[("", "Tous"), ("activee", "Activée"), ("non_activee", "Non activée")],
        error_messages={"invalid_choice": "Sélectionnez un état de la double authentification de la liste."},
    )

    def filter(self, accounts: QuerySet[User]) -> QuerySet[User]:
        """`accounts` as searched and filtered. A wrong value (an overlong search,
        a NUL character, an unknown choice) is explained next to its field and
        left out; the list view shows the others' result, the export refuses."""
        self.is_valid()
        data = self.cleaned_data
        # By identifiant, nom d'usage, prénom or courriel, every word typed, whatever
        # the accents: as the Région searches.
        accounts = holding_every_word(accounts, data.get("q", ""))
        if data.get("statut"):
            accounts = accounts.filter(is_active=data["statut"] == "actif")
        if data.get("blocage"):
            accounts = accounts.filter(is_blocked=data["blocage"] == "bloque")
        if data.get("double_authentification"):
            accounts = with_second_factor_state(accounts).filter(
                second_factor_enabled=data["double_authentification"] == "activee"
            )
        return accounts

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def chosen_sort(value: str | None) -> tuple[str, bool]:
    """The column to sort by and whether descending, from the address's `tri`; the default if unknown."""
    value = value or ""
    descending = value.startswith("-")
    column = value.removeprefix("-")
    if column not in ACCOUNT_SORTS:
        return DEFAULT_SORT, False
    return column, descending


def sorted_accounts(accounts: QuerySet[User], column: str, *, descending: bool) -> QuerySet[User]:
    # Never connected comes first, as the oldest connection would.
    fields = ACCOUNT_SORTS[column]
    order = [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True) for name in fields]
    return accounts.order_by(*order, "-pk" if descending else "pk")


class AccountsFileForm(forms.Form):
    """Créer des comptes par fichier: the CSV file, read into `rows` once valid."""

    rows: list[bulk_creation.Row]

    fichier = forms.FileField(
        label="Fichier CSV",
        help_text=(
            f"Séparateur point-virgule, encodage UTF-8 ou Windows-1252, {bulk_creation.MAX_ACCOUNTS} comptes "
            f"et {bulk_creation.MAX_FILE_SIZE // 1024}\u00a0Ko au plus."
        ),
        error_messages={
            "required": "Choisissez le fichier CSV des comptes à créer.",
            "empty": "Le fichier soumis est vide.",
            "invalid": "Le fichier n’a pas pu être reçu\u00a0: choisissez-le de nouveau.",
        },
    )

    def clean_fichier(self) -> bytes:
        uploaded = self.cleaned_data["fichier"]
        if uploaded.size > bulk_creation.MAX_FILE_SIZE:
            raise forms.ValidationError(size_error(bulk_creation.MAX_FILE_SIZE))
        raw = uploaded.read(bulk_creation.MAX_FILE_SIZE + 1)
        try:
            self.rows = bulk_creation.read_accounts_file(raw)
        except UnreadableFile as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return raw
