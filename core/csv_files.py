"""The CSV files sigma reads and writes: semicolon-separated, as French
spreadsheets save them. Reading: UTF-8 (with or without BOM) or Windows-1252,
with an upper bound on size and lines. Writing: UTF-8 with a BOM, every cell
neutralised so that a spreadsheet shows it and never runs it."""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

from core.text import plural, spreadsheet_text

NBSP = "\u00a0"


class UnreadableFile(Exception):
    """The file as a whole cannot be read; its message says why, in French."""


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) when it is, else Windows-1252, as French spreadsheets export."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"Le fichier n’est ni en UTF-8 ni en Windows-1252{NBSP}: est-ce bien un fichier CSV{NBSP}?"
            ) from None
    if "\x00" in text:
        raise UnreadableFile(f"Le fichier contient des données binaires{NBSP}: est-ce bien un fichier CSV{NBSP}?")
    return text


def read_records(raw: bytes, *, max_size: int, max_lines: int) -> list[tuple[int, list[str]]]:
    """The file's non-empty lines, the header included, as (line number, stripped
    cells); refused when over `max_size` bytes or `max_lines` lines after the header."""
    if len(raw) > max_size:
        raise UnreadableFile(size_error(max_size))
    reader = csv.reader(io.StringIO(decode(raw), newline=""), delimiter=";")
    records: list[tuple[int, list[str]]] = []
    last_line = 0
    try:
        for cells in reader:
            start, last_line = last_line + 1, reader.line_num
            cells = [cell.strip() for cell in cells]
            if any(cells):
                records.append((start, cells))
            if len(records) > max_lines + 1:
                raise UnreadableFile(
                    f"Le fichier dépasse le maximum de {max_lines} {plural('ligne', 'lignes', max_lines)}{NBSP}: "
                    "découpez-le en plusieurs fichiers."
                )
    except csv.Error:
        raise UnreadableFile(
            f"La ligne {last_line + 1} du fichier ne peut pas être lue{NBSP}: "
            f"est-ce bien un fichier CSV séparé par des points-virgules{NBSP}?"
        ) from None
    if not records:
        raise UnreadableFile("Le fichier est vide.")
    return records


def size_error(max_size: int) -> str:
    megabytes = max_size / (1024 * 1024)
    shown = f"{megabytes:g}".replace(".", ",")
    return f"Le fichier dépasse la taille maximale de {shown}{NBSP}Mo."


class _Echo:
    """What csv.writer writes to: hands each line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The lines of a CSV file for French spreadsheets, one at a time."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    # The byte order mark tells spreadsheets the file is UTF-8.
    yield "\ufeff" + writer.writerow([spreadsheet_text(value) for value in header])
    for row in rows:
        yield writer.writerow([spreadsheet_text(value) for value in row])


def csv_response(header: Iterable[str], rows: Iterable[Iterable[Any]], *, filename: str) -> StreamingHttpResponse:
    """A download of `rows` under `header`, streamed so that its size does not matter."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
