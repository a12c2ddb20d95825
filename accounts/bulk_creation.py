"""Créer des comptes par fichier: a primary account creates its organisme's
secondary accounts from a CSV file (civilité; nom d'usage; prénom; courriel).

The file is read and every line checked first (read_accounts_file,
plan_accounts); the primary account sees the preview, then confirms
(create_accounts_from_file), which checks the lines again and creates them all
in one transaction, or none. A line naming an account the organisme already
has (same courriel, same names) is left as it is: importing the same file
twice creates nothing the second time.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models.functions import Lower

from accounts.models import User
from accounts.services import create_account
from core.csv_files import NBSP, UnreadableFile, read_records
from core.text import invisible_characters_error, normalize_for_search, plural
from organisations.models import Organisme

MAX_ACCOUNTS = 500
MAX_FILE_SIZE = 256 * 1024
COLUMNS = ("civilite", "nom_usage", "prenom", "courriel")
# As the report names them.
COLUMN_LABELS = {"civilite": "civilité", "nom_usage": "nom d’usage", "prenom": "prénom", "courriel": "courriel"}
# The header's cells, lowercased and without accents, spaces or punctuation.
HEADER_NAMES = {
    "civilite": {"civilite"},
    "nom_usage": {"nomdusage", "nomusage", "nom"},
    "prenom": {"prenom"},
    "courriel": {"courriel", "email", "mail", "adressecourriel"},
}
CIVILITES = {
    "madame": User.Civilite.MADAME,
    "mme": User.Civilite.MADAME,
    "monsieur": User.Civilite.MONSIEUR,
    "m": User.Civilite.MONSIEUR,
    "mr": User.Civilite.MONSIEUR,
}
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254

# A file line as the session keeps it between the preview and the confirmation.
Row = tuple[int, list[str]]


@dataclass(frozen=True)
class PlannedAccount:
    line: int
    civilite: str
    last_name: str
    first_name: str
    email: str

    @property
    def civilite_label(self) -> str:
        return str(User.Civilite(self.civilite).label)


@dataclass
class AccountsPlan:
    """What a file would do: the accounts to create, the lines naming an
    existing account (left as they are), and what is wrong, line by line."""

    to_create: list[PlannedAccount] = field(default_factory=list)
    existing: list[PlannedAccount] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    errors_by_line: list[tuple[int, str]] = field(default_factory=list, repr=False)

    @property
    def succeeded(self) -> bool:
        return not self.errors


class BulkCreationRefused(Exception):
    """Nothing was created; `errors` says why, line by line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _line_error(line: int, column: str | None, message: str) -> str:
    if column:
        return f"Ligne {line}, colonne {COLUMN_LABELS[column]}{NBSP}: {message}"
    return f"Ligne {line}{NBSP}: {message}"


def _header_key(cell: str) -> str:
    return "".join(char for char in normalize_for_search(cell) if char.isalnum())


def read_accounts_file(raw: bytes) -> list[Row]:
    """The file's data lines, as (line number, its four cells); raises
    UnreadableFile when the file as a whole cannot be read."""
    records = read_records(raw, max_size=MAX_FILE_SIZE, max_lines=MAX_ACCOUNTS)
    (_line, header), data = records[0], records[1:]
    expected = "civilité;nom d’usage;prénom;courriel"
    if len(header) != len(COLUMNS) or any(
        _header_key(cell) not in HEADER_NAMES[column] for cell, column in zip(header, COLUMNS, strict=False)
    ):
        found = ";".join(header)[:200]
        raise UnreadableFile(
            f"La première ligne doit être celle des en-têtes, «{NBSP}{expected}{NBSP}», et non «{NBSP}{found}{NBSP}»."
        )
    if not data:
        raise UnreadableFile("Le fichier ne contient que la ligne d’en-têtes, aucun compte à créer.")
    return [(line, cells) for line, cells in data]


def _check_name(line: int, column: str, value: str, errors: list[str]) -> None:
    if not value:
        errors.append(_line_error(line, column, f"le {COLUMN_LABELS[column]} est vide."))
    elif len(value) > NAME_MAX_LENGTH:
        errors.append(_line_error(line, column, f"{NAME_MAX_LENGTH} caractères au plus ({len(value)} ici)."))


def _check_line(line: int, cells: list[str]) -> tuple[PlannedAccount | None, list[str]]:
    """One line read alone: the account it asks for, or what is wrong with it."""
    # Spreadsheets sometimes end lines with empty cells.
    while len(cells) > len(COLUMNS) and not cells[-1]:
        cells = cells[:-1]
    if len(cells) != len(COLUMNS):
        count = len(cells)
        return None, [
            _line_error(
                line,
                None,
                f"{count} {plural('valeur', 'valeurs', count)} au lieu des {len(COLUMNS)} attendues "
                f"(séparateur{NBSP}: point-virgule).",
            )
        ]
    values = dict(zip(COLUMNS, cells, strict=True))
    errors = []
    for column, value in values.items():
        problem = invisible_characters_error(value)
        if problem:
            errors.append(_line_error(line, column, str(problem)))
    if errors:
        return None, errors
    civilite = CIVILITES.get(_header_key(values["civilite"]))
    if civilite is None:
        errors.append(
            _line_error(
                line,
                "civilite",
                f"«{NBSP}{values['civilite'][:50]}{NBSP}» n’est pas une civilité{NBSP}: écrivez Madame ou Monsieur.",
            )
        )
    _check_name(line, "nom_usage", values["nom_usage"], errors)
    _check_name(line, "prenom", values["prenom"], errors)
    email = values["courriel"]
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        EmailValidator()(email)
    except ValidationError:
        errors.append(
            _line_error(line, "courriel", f"«{NBSP}{email[:100]}{NBSP}» n’est pas une adresse de courriel valide.")
        )
    if errors or civilite is None:
        return None, errors
    return PlannedAccount(line, civilite, values["nom_usage"], values["prenom"], email), []


def _same_person(planned: PlannedAccount, account: User) -> bool:
    return normalize_for_search(planned.last_name, planned.first_name) == normalize_for_search(
        account.last_name, account.first_name
    )


def plan_accounts(rows: list[Row], *, organisme: Organisme) -> AccountsPlan:
    """What creating `rows` for `organisme` would do; nothing is written.

    One account per courriel within the organisme: a second line with an
    address of the file, or an address of another of the organisme's accounts,
    is an error; a line naming an existing account (same courriel and names)
    is left as it is. Other organismes' accounts play no part."""
    plan = AccountsPlan()
    checked: list[PlannedAccount] = []
    for line, cells in rows:
        planned, errors = _check_line(line, cells)
        plan.errors_by_line.extend((line, error) for error in errors)
        if planned:
            checked.append(planned)
    addresses = {planned.email.casefold() for planned in checked}
    existing_by_address: dict[str, User] = {}
    known = (
        User.objects.alive()
        .filter(organisme=organisme)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=addresses)
        .order_by("pk")
    )
    for known_account in known:
        existing_by_address.setdefault(known_account.email.casefold(), known_account)
    first_line: dict[str, int] = {}
    for planned in checked:
        address = planned.email.casefold()
        if address in first_line:
            plan.errors_by_line.append(
                (
                    planned.line,
                    _line_error(
                        planned.line,
                        "courriel",
                        f"l’adresse «{NBSP}{planned.email}{NBSP}» figure déjà ligne {first_line[address]} du fichier"
                        f"{NBSP}: un compte par adresse.",
                    ),
                )
            )
            continue
        first_line[address] = planned.line
        account = existing_by_address.get(address)
        if account is None:
            plan.to_create.append(planned)
        elif _same_person(planned, account):
            plan.existing.append(planned)
        else:
            plan.errors_by_line.append(
                (
                    planned.line,
                    _line_error(
                        planned.line,
                        "courriel",
                        f"l’adresse «{NBSP}{planned.email}{NBSP}» est déjà celle du compte de {account.full_name} "
                        f"(identifiant {account.identifiant}){NBSP}: un compte par adresse.",
                    ),
                )
            )
    # The report in the order of the file's lines.
    plan.errors = [error for _line, error in sorted(plan.errors_by_line)]
    return plan


@transaction.atomic
def create_accounts_from_file(rows: list[Row], *, organisme: Organisme, acting_account: User) -> AccountsPlan:
    """Create the secondary accounts `rows` ask for, all or none, each with its
    audit entry and the guide's first e-mail. The lines are checked again under
    the organisme's lock: two confirmations at once (a double click) create
    each account once. Raises BulkCreationRefused when a line is wrong."""
    Organisme.objects.select_for_update().filter(pk=organisme.pk).first()
    plan = plan_accounts(rows, organisme=organisme)
    if not plan.succeeded:
        raise BulkCreationRefused(plan.errors)
    for planned in plan.to_create:
        create_account(
            organisme=organisme,
            kind=User.Kind.SECONDARY,
            acting_account=acting_account,
            civilite=planned.civilite,
            last_name=planned.last_name,
            first_name=planned.first_name,
            email=planned.email,
        )
    return plan
