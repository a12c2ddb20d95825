"""Imports of CSV files by an organisme: inscriptions and declared hours.

A file is read, every line checked, and only then written, in one
transaction: one bad line and nothing is written, the report lists them all.
Re-importing the same file changes nothing. A line never overwrites a value
someone already saved with a different one (the guide's section 3 warns the
original platform loses data that way): it is reported as a conflict instead.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone

from core import csv_files
from core.text import invisible_characters_error, spreadsheet_text
from core.versioning import StaleEdit, save_if_unchanged
from training.dashboard import forget_dashboard
from training.models import (
    ActionFormation,
    DeclarationHeures,
    Inscription,
    PeriodeDeclaration,
    Stagiaire,
    first_day_of_month,
    identity,
    normalize_identifiant_france_travail,
)

MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_LINES = 5000
# More hours than a month has is a typing error, whatever the action.
MAX_HOURS_PER_MONTH = Decimal(744)

INSCRIPTIONS = "inscriptions"
HEURES = "heures"
COLUMNS = {
    INSCRIPTIONS: (
        "numero_bdc",
        "nom",
        "prenom",
        "date_naissance",
        "identifiant_france_travail",
        "date_entree",
        "date_sortie",
    ),
    HEURES: ("numero_bdc", "identifiant_france_travail", "mois", "heures"),
}
OPTIONAL_COLUMNS = {"date_sortie"}

DATE_PATTERN = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
MONTH_PATTERN = re.compile(r"^(\d{2})/(\d{4})$")
HOURS_PATTERN = re.compile(r"^-?\d+(?:[.,]\d+)?$")


class ImportRefused(Exception):
    """The file as a whole cannot be read; nothing was written."""


class _Interrupted(Exception):
    """Someone changed the data between our checks and our writes."""


@dataclass
class ImportResult:
    kind: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def succeeded(self):
        return not self.errors

    def summary(self):
        return ", ".join(
            [
                _french_count(self.created, "ligne créée", "lignes créées"),
                _french_count(self.updated, "modifiée", "modifiées"),
                _french_count(self.unchanged, "inchangée", "inchangées"),
            ]
        )


def _french_count(number, singular, plural):
    # French puts 0 in the singular ("0 ligne créée"); there is no message
    # catalog for ngettext to apply that rule from.
    return f"{number} {singular if number <= 1 else plural}"


def _line_error(line, column, message):
    if column:
        return "Ligne %(line)s, colonne %(column)s : %(message)s" % {
            "line": line,
            "column": column,
            "message": message,
        }
    return "Ligne %(line)s : %(message)s" % {"line": line, "message": message}


def _quoted(value):
    return f"« {value} »"


def read_rows(raw):
    """The file's kind, and its data lines as (line number, {column: value})."""
    try:
        records = csv_files.read_records(raw, max_size=MAX_FILE_SIZE, max_lines=MAX_LINES)
    except csv_files.UnreadableFile as refusal:
        raise ImportRefused(str(refusal)) from None
    (_header_line, header), data = records[0], records[1:]
    kind, columns = _detect_kind(header)
    rows, errors = _named_cells(columns, data)
    if not rows and not errors:
        raise ImportRefused("Le fichier ne contient que la ligne d’en-têtes, aucune ligne à importer.")
    return kind, rows, errors


def _named_cells(columns, data):
    """Each line's cells by column name, and the lines that have too many or too few."""
    rows, errors = [], []
    for line, cells in data:
        # Spreadsheets sometimes end lines with empty cells.
        while len(cells) > len(columns) and not cells[-1]:
            cells.pop()
        if len(cells) != len(columns):
            errors.append(
                _line_error(
                    line,
                    None,
                    "%(found)s valeurs au lieu des %(expected)s attendues (séparateur : point-virgule)."
                    % {"found": len(cells), "expected": len(columns)},
                )
            )
            continue
        rows.append((line, dict(zip(columns, cells, strict=True))))
    return rows, errors


def _detect_kind(header):
    names = [name.strip().lower() for name in header]
    for kind, columns in COLUMNS.items():
        required = {column for column in columns if column not in OPTIONAL_COLUMNS}
        if len(names) == len(set(names)) and required <= set(names) <= set(columns):
            return kind, names
    raise ImportRefused(
        (
            "Les en-têtes de la première ligne (%(found)s) ne sont pas reconnus. Pour importer des inscriptions, "
            "la première ligne doit être %(inscriptions)s ; pour des heures réalisées, %(heures)s."
        )
        % {
            "found": _quoted(";".join(header)[:200]),
            "inscriptions": _quoted(";".join(COLUMNS[INSCRIPTIONS])),
            "heures": _quoted(";".join(COLUMNS[HEURES])),
        }
    )


def import_file(*, organisme, raw, acting_account):
    """Reads, checks, then writes the file in one transaction; the result says what happened."""
    try:
        kind, rows, errors = read_rows(raw)
    except ImportRefused as refusal:
        return ImportResult(errors=[str(refusal)])
    result = ImportResult(kind=kind, errors=errors)
    check = _check_inscriptions if kind == INSCRIPTIONS else _check_hours
    try:
        with transaction.atomic():
            plan = check(rows, organisme, result)
            if result.errors:
                return result
            plan(acting_account)
            # Periods bumped by UPDATEs and hours by bulk inserts send no signal.
            forget_dashboard(organisme.pk)
    except (_Interrupted, IntegrityError):
        return ImportResult(
            kind=kind,
            errors=[
                (
                    "Des données de ce fichier ont été modifiées par quelqu’un d’autre pendant l’import. "
                    "Aucune ligne n’a été enregistrée : importez à nouveau le fichier."
                )
            ],
        )
    return result


def _locked_actions(organisme, rows):
    """The organisme's actions the file names, locked until the import ends.
    Another organisme's BDC is not found here, and reported as unknown."""
    numbers = {values["numero_bdc"] for _line, values in rows}
    actions = ActionFormation.objects.select_for_update().filter(organisme=organisme, numero_bdc__in=numbers)
    return {action.numero_bdc: action for action in actions}


def _check_action(line, values, actions, errors):
    action = actions.get(values["numero_bdc"])
    if action is None:
        errors.append(_line_error(line, "numero_bdc", "BDC %s inconnu." % _quoted(values["numero_bdc"])))
    elif action.closed_at:
        errors.append(_line_error(line, "numero_bdc", "le BDC %s est fermé." % _quoted(values["numero_bdc"])))
        return None
    return action


def _parse_date(line, column, value, errors, *, required=True):
    if not value:
        if required:
            errors.append(_line_error(line, column, "valeur obligatoire (JJ/MM/AAAA)."))
        return None
    match = DATE_PATTERN.match(value)
    try:
        if not match:
            raise ValueError
        day, month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    except ValueError:
        errors.append(_line_error(line, column, "%s n’est pas une date valide (JJ/MM/AAAA)." % _quoted(value)))
        return None


def _parse_text(line, column, value, errors, max_length):
    problem = invisible_characters_error(value)
    if not value:
        errors.append(_line_error(line, column, "valeur obligatoire."))
    elif len(value) > max_length:
        errors.append(
            _line_error(line, column, "%(count)s caractères au plus." % {"count": max_length}),
        )
    elif problem:
        errors.append(_line_error(line, column, "la valeur %(problem)s" % {"problem": problem}))
    else:
        return value
    return None


def _parse_identifiant(line, values, errors):
    """The line's identifiant France Travail, checked and written as the inscription form does."""
    column = "identifiant_france_travail"
    value = _parse_text(line, column, values[column], errors, 20)
    if value is None:
        return None
    try:
        return normalize_identifiant_france_travail(value)
    except ValidationError as error:
        errors.extend(_line_error(line, column, message) for message in error.messages)
        return None


def _saved_by(record):
    when = formats.date_format(timezone.localtime(record.updated_at), "d/m/Y à H:i")
    if record.updated_by_name:
        return "enregistrée par %(name)s le %(when)s" % {"name": record.updated_by_name, "when": when}
    return "enregistrée le %(when)s" % {"when": when}


def _format_date(day):
    return day.strftime("%d/%m/%Y")


@dataclass
class _InscriptionLine:
    """A line of an inscriptions file, each value read and checked on its own."""

    line: int
    values: dict
    action: ActionFormation
    nom: str
    prenom: str
    date_naissance: datetime.date
    identifiant: str
    date_entree: datetime.date
    date_sortie: datetime.date | None

    @property
    def key(self):
        return (self.action.pk, self.identifiant)

    @property
    def identity(self):
        return identity(self.nom, self.prenom, self.date_naissance)


def _read_inscription_line(line, values, actions, errors):
    """The line's values, or None once its errors are reported."""
    line_errors: list[str] = []
    parsed = _InscriptionLine(
        line=line,
        values=values,
        action=_check_action(line, values, actions, line_errors),
        nom=_parse_text(line, "nom", values["nom"], line_errors, 150),
        prenom=_parse_text(line, "prenom", values["prenom"], line_errors, 150),
        date_naissance=_parse_date(line, "date_naissance", values["date_naissance"], line_errors),
        identifiant=_parse_identifiant(line, values, line_errors),
        date_entree=_parse_date(line, "date_entree", values["date_entree"], line_errors),
        date_sortie=_parse_date(line, "date_sortie", values.get("date_sortie", ""), line_errors, required=False),
    )
    _check_inscription_dates(parsed, line_errors)
    errors.extend(line_errors)
    return None if line_errors else parsed


def _check_inscription_dates(parsed, errors):
    line, values, action = parsed.line, parsed.values, parsed.action
    if parsed.date_naissance and parsed.date_naissance >= timezone.localdate():
        errors.append(_line_error(line, "date_naissance", "%s est dans le futur." % _quoted(values["date_naissance"])))
    if parsed.date_entree and parsed.date_sortie and parsed.date_sortie < parsed.date_entree:
        errors.append(_line_error(line, "date_sortie", "la date de sortie précède la date d’entrée."))
    if action and parsed.date_entree and not action.date_debut <= parsed.date_entree <= action.date_fin:
        errors.append(
            _line_error(
                line,
                "date_entree",
                "%(date)s est en dehors de l’action (du %(start)s au %(end)s)."
                % {
                    "date": _quoted(values["date_entree"]),
                    "start": _format_date(action.date_debut),
                    "end": _format_date(action.date_fin),
                },
            )
        )


class _InscriptionsPlan:
    """What an inscriptions file will write, built line by line against the
    organisme's stored actions, trainees and inscriptions, and nobody else's."""

    def __init__(self, rows, organisme, result):
        self.result = result
        self.organisme = organisme
        self.actions = _locked_actions(organisme, rows)
        identifiants = {normalized for _line, values in rows if (normalized := _normalized_or_none(values)) is not None}
        self.known_trainees = {
            stagiaire.identifiant_france_travail: stagiaire
            for stagiaire in Stagiaire.objects.filter(organisme=organisme, identifiant_france_travail__in=identifiants)
        }
        self.existing = {
            # The filter names the trainee: never None here.
            (inscription.action_id, inscription.stagiaire.identifiant_france_travail): inscription  # type: ignore[union-attr]
            for inscription in Inscription.objects.select_related("stagiaire", "action").filter(
                action__in=self.actions.values(), stagiaire__identifiant_france_travail__in=identifiants
            )
        }
        self.free_seats: dict[int, list[Inscription]] = {}
        for seat in (
            Inscription.objects.select_related("action")
            .filter(action__in=self.actions.values(), stagiaire__isnull=True)
            .order_by("pk")
        ):
            self.free_seats.setdefault(seat.action_id, []).append(seat)
        self.seen_lines = {}
        self.identities_in_file = {}
        self.new_trainees = {}
        self.seat_fillings = []
        self.updates = []

    def add(self, parsed):
        if self._is_duplicate(parsed) or self._names_another_person(parsed):
            return
        inscription = self.existing.get(parsed.key)
        if inscription is None:
            self._fill_a_seat(parsed)
        else:
            self._complete(inscription, parsed)

    def _refuse(self, parsed, column, message):
        self.result.errors.append(_line_error(parsed.line, column, message))
        return True

    def _is_duplicate(self, parsed):
        first_line = self.seen_lines.setdefault(parsed.key, parsed.line)
        if first_line == parsed.line:
            return False
        return self._refuse(
            parsed,
            None,
            "doublon de la ligne %(other)s (même BDC et même identifiant France Travail)." % {"other": first_line},
        )

    def _names_another_person(self, parsed):
        stagiaire = self.known_trainees.get(parsed.identifiant)
        if stagiaire is not None and stagiaire.identity != parsed.identity:
            return self._refuse(
                parsed,
                "identifiant_france_travail",
                "cet identifiant est déjà enregistré avec d’autres nom, prénom ou date de naissance.",
            )
        first_line, first_identity = self.identities_in_file.setdefault(
            parsed.identifiant, (parsed.line, parsed.identity)
        )
        if first_identity == parsed.identity:
            return False
        return self._refuse(
            parsed,
            "identifiant_france_travail",
            "même identifiant que la ligne %(other)s, mais avec d’autres nom, prénom ou date de naissance."
            % {"other": first_line},
        )

    def _fill_a_seat(self, parsed):
        seats = self.free_seats.get(parsed.action.pk, [])
        if not seats:
            self._refuse(
                parsed,
                "numero_bdc",
                "plus aucune place en attente de saisie sur le BDC %s." % _quoted(parsed.action.numero_bdc),
            )
            return
        stagiaire = self.known_trainees.get(parsed.identifiant) or self.new_trainees.setdefault(
            parsed.identifiant,
            Stagiaire(
                organisme=self.organisme,
                nom=parsed.nom,
                prenom=parsed.prenom,
                date_naissance=parsed.date_naissance,
                identifiant_france_travail=parsed.identifiant,
            ).with_search_text(),
        )
        self.seat_fillings.append((seats.pop(0), stagiaire, parsed.date_entree, parsed.date_sortie))

    def _complete(self, inscription, parsed):
        """Fill the dates the inscription lacks; a different stored date is a conflict."""
        changes, conflicts = {}, []
        for column in ("date_entree", "date_sortie"):
            new_value, stored = getattr(parsed, column), getattr(inscription, column)
            if new_value is None or new_value == stored:
                continue
            if stored is None:
                changes[column] = new_value
            else:
                conflicts.append(
                    _line_error(
                        parsed.line,
                        column,
                        (
                            "%(new)s diffère de la valeur %(stored)s %(saved_by)s ; corrigez le fichier "
                            "ou modifiez l’inscription sur la page du BDC."
                        )
                        % {
                            "new": _quoted(parsed.values[column]),
                            "stored": _quoted(_format_date(stored)),
                            "saved_by": _saved_by(inscription),
                        },
                    )
                )
        if conflicts:
            self.result.errors.extend(conflicts)
        elif changes:
            self.updates.append((inscription, changes))
        else:
            self.result.unchanged += 1

    def write(self, acting_account):
        Stagiaire.objects.bulk_create(self.new_trainees.values())
        for seat, stagiaire, date_entree, date_sortie in self.seat_fillings:
            _save(
                seat,
                {"stagiaire": stagiaire, "date_entree": date_entree, "date_sortie": date_sortie},
                acting_account,
            )
        for inscription, changes in self.updates:
            _save(inscription, changes, acting_account)
        self.result.created += len(self.seat_fillings)
        self.result.updated += len(self.updates)


def _normalized_or_none(values):
    try:
        return normalize_identifiant_france_travail(values["identifiant_france_travail"])
    except ValidationError:
        return None


def _check_inscriptions(rows, organisme, result):
    plan = _InscriptionsPlan(rows, organisme, result)
    for line, values in rows:
        parsed = _read_inscription_line(line, values, plan.actions, result.errors)
        if parsed is not None:
            plan.add(parsed)
    return plan.write


def _save(record, changes, acting_account):
    try:
        save_if_unchanged(record, based_on_version=record.version, changes=changes, acting_account=acting_account)
    except StaleEdit as stale:
        raise _Interrupted from stale


def _parse_month(line, value, errors):
    match = MONTH_PATTERN.match(value)
    try:
        if not match:
            raise ValueError
        month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, 1)
    except ValueError:
        errors.append(_line_error(line, "mois", "%s n’est pas un mois valide (MM/AAAA)." % _quoted(value)))
        return None


def _parse_hours(line, value, errors):
    if not HOURS_PATTERN.match(value):
        errors.append(_line_error(line, "heures", "%s n’est pas un nombre d’heures valide." % _quoted(value)))
        return None
    try:
        hours = Decimal(value.replace(",", "."))
    except InvalidOperation:
        errors.append(_line_error(line, "heures", "%s n’est pas un nombre d’heures valide." % _quoted(value)))
        return None
    if hours < 0:
        message = "%s : le nombre d’heures ne peut pas être négatif."
    elif hours > MAX_HOURS_PER_MONTH:
        message = "%s : plus d’heures que le mois n’en compte."
    elif hours != hours.quantize(Decimal("0.1")):
        message = "%s : une décimale au plus."
    else:
        return hours.quantize(Decimal("0.1"))
    errors.append(_line_error(line, "heures", message % _quoted(value)))
    return None


@dataclass
class _HoursLine:
    line: int
    values: dict
    action: ActionFormation
    inscription: Inscription
    month: datetime.date
    hours: Decimal


class _HoursPlan:
    """What an hours file will write, built line by line against the
    organisme's stored actions, inscriptions, periods and declarations."""

    def __init__(self, rows, organisme, result):
        self.result = result
        self.actions = _locked_actions(organisme, rows)
        identifiants = {normalized for _line, values in rows if (normalized := _normalized_or_none(values)) is not None}
        self.inscriptions = {
            # The filter names the trainee: never None here.
            (inscription.action_id, inscription.stagiaire.identifiant_france_travail): inscription  # type: ignore[union-attr]
            for inscription in Inscription.objects.select_related("stagiaire").filter(
                action__in=self.actions.values(), stagiaire__identifiant_france_travail__in=identifiants
            )
        }
        self.periods = {
            (period.action_id, period.mois): period
            for period in PeriodeDeclaration.objects.select_for_update().filter(action__in=self.actions.values())
        }
        self.declared = {
            (declaration.periode_id, declaration.inscription_id): declaration
            for declaration in DeclarationHeures.objects.filter(periode__in=self.periods.values())
        }
        self.this_month = first_day_of_month(timezone.localdate())
        self.seen_lines = {}
        self.to_create = []  # (action, month, inscription, hours)

    def read_line(self, line, values):
        """The line's values, or None once its errors are reported."""
        line_errors: list[str] = []
        action = _check_action(line, values, self.actions, line_errors)
        identifiant = _parse_identifiant(line, values, line_errors)
        month = _parse_month(line, values["mois"], line_errors)
        hours = _parse_hours(line, values["heures"], line_errors)
        inscription = self._inscription(line, action, identifiant, line_errors)
        if action and month:
            self._check_month(line, values, action, month, line_errors)
        self.result.errors.extend(line_errors)
        return None if line_errors else _HoursLine(line, values, action, inscription, month, hours)

    def _inscription(self, line, action, identifiant, errors):
        if not (action and identifiant):
            return None
        inscription = self.inscriptions.get((action.pk, identifiant))
        if inscription is None:
            errors.append(
                _line_error(
                    line,
                    "identifiant_france_travail",
                    "aucun stagiaire %(identifiant)s n’est inscrit sur le BDC %(bdc)s."
                    % {"identifiant": _quoted(identifiant), "bdc": _quoted(action.numero_bdc)},
                )
            )
        return inscription

    def _check_month(self, line, values, action, month, errors):
        if not first_day_of_month(action.date_debut) <= month <= first_day_of_month(action.date_fin):
            errors.append(
                _line_error(
                    line,
                    "mois",
                    "%(month)s est en dehors de l’action (du %(start)s au %(end)s)."
                    % {
                        "month": _quoted(values["mois"]),
                        "start": _format_date(action.date_debut),
                        "end": _format_date(action.date_fin),
                    },
                )
            )
        elif month > self.this_month:
            errors.append(_line_error(line, "mois", "%s n’a pas encore commencé." % _quoted(values["mois"])))

    def add(self, parsed):
        line, values, action = parsed.line, parsed.values, parsed.action
        key = (action.pk, parsed.inscription.pk, parsed.month)
        first_line = self.seen_lines.setdefault(key, line)
        if first_line != line:
            self.result.errors.append(
                _line_error(
                    line,
                    None,
                    "doublon de la ligne %(other)s (même BDC, même identifiant France Travail et même mois)."
                    % {"other": first_line},
                )
            )
            return
        period = self.periods.get((action.pk, parsed.month))
        if period and period.is_validated:
            self.result.errors.append(
                _line_error(
                    line,
                    "mois",
                    "la période %(month)s du BDC %(bdc)s est déjà validée."
                    % {"month": values["mois"], "bdc": _quoted(action.numero_bdc)},
                )
            )
            return
        declaration = self.declared.get((period.pk, parsed.inscription.pk)) if period else None
        if declaration is None:
            self.to_create.append((action, parsed.month, parsed.inscription, parsed.hours))
        elif declaration.heures == parsed.hours:
            self.result.unchanged += 1
        else:
            self.result.errors.append(
                _line_error(
                    line,
                    "heures",
                    (
                        "%(new)s diffère des %(stored)s heures déjà déclarées (période %(saved_by)s) ; "
                        "corrigez le fichier ou modifiez la déclaration sur la page du BDC."
                    )
                    % {
                        "new": _quoted(values["heures"]),
                        "stored": formats.number_format(declaration.heures, 1),
                        "saved_by": _saved_by(period),
                    },
                )
            )

    def write(self, acting_account):
        actor_name = acting_account.full_name
        now = timezone.now()
        new_periods = {}
        for action, month, _inscription, _hours in self.to_create:
            if (action.pk, month) not in self.periods and (action.pk, month) not in new_periods:
                new_periods[(action.pk, month)] = PeriodeDeclaration.objects.create(
                    action=action, mois=month, updated_at=now, updated_by=acting_account, updated_by_name=actor_name
                )
        DeclarationHeures.objects.bulk_create(
            DeclarationHeures(
                periode=self.periods.get((action.pk, month)) or new_periods[(action.pk, month)],
                inscription=inscription,
                heures=hours,
            )
            for action, month, inscription, hours in self.to_create
        )
        touched = {
            self.periods[(action.pk, month)].pk
            for action, month, *_rest in self.to_create
            if (action.pk, month) in self.periods
        }
        # The periods are locked; an unvalidated one cannot have been validated since.
        bumped = PeriodeDeclaration.objects.filter(pk__in=touched, validated_at__isnull=True).update(
            version=F("version") + 1, updated_at=now, updated_by=acting_account, updated_by_name=actor_name
        )
        if bumped != len(touched):
            raise _Interrupted
        self.result.created += len(self.to_create)


def _check_hours(rows, organisme, result):
    plan = _HoursPlan(rows, organisme, result)
    for line, values in rows:
        parsed = plan.read_line(line, values)
        if parsed is not None:
            plan.add(parsed)
    return plan.write


def example_file(kind, organisme):
    """A file of `kind` the organisme could import as it is, once the inscriptions
    example is imported before the hours one: on its latest action if it has one."""
    action = organisme.actions.filter(closed_at__isnull=True).order_by("-date_debut").first()
    numero_bdc = action.numero_bdc if action else "BDC-2026-0001"
    start = action.date_debut if action else datetime.date(2026, 1, 5)
    end = action.date_fin if action else datetime.date(2026, 3, 27)
    lines = {
        INSCRIPTIONS: [
            ["DUPONT", "Hélène", "14/03/1990", "1234567A", _format_date(start), ""],
            ["MARTIN", "Jean", "02/11/1985", "7654321B", _format_date(start), _format_date(end)],
        ],
        HEURES: [["1234567A", f"{start:%m/%Y}", "120,5"], ["7654321B", f"{start:%m/%Y}", "118"]],
    }[kind]
    content = io.StringIO()
    writer = csv.writer(content, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS[kind])
    # The BDC number is typed by the Région: a downloaded file must not carry a formula.
    writer.writerows([spreadsheet_text(numero_bdc), *line] for line in lines)
    # The BOM lets spreadsheets show the accents right.
    return ("\ufeff" + content.getvalue()).encode()
