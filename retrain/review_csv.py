"""The review file: a CSV that Excel opens as a table, and reading it back after staff.

Written as UTF-8 with a BOM and ";" (what Excel with Ukrainian regional
settings expects). Read back in whatever Excel saved: UTF-8 with or without
BOM, UTF-16 ("Unicode text", tab-separated) or Windows-1251; ";", "," or tab.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

from core.errors import StaffError

PHRASE = "Фраза"
LABEL = "Правильний намір"
# Excel runs a cell that starts with one of these as a formula; consumers' text
# must never do that, so such cells get a leading apostrophe (removed on merge).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as output:
        writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[_safe_cell(cell) for cell in row] for row in rows])


def _safe_cell(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def unsafe_cell(cell: str) -> str:
    """Undoes _safe_cell."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


@dataclass(frozen=True)
class LabelledRow:
    line: int
    phrase: str
    label: str


def read_labels(path: Path) -> List[LabelledRow]:
    """The phrase and the staff's intent of every row (label may be empty)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StaffError(f"не вдалося прочитати {path}: {error.strerror}") from error
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().casefold() for cell in next(reader, [])]
    try:
        phrase_at, label_at = header.index(PHRASE.casefold()), header.index(LABEL.casefold())
    except ValueError:
        raise StaffError(
            f"у файлі {path.name} немає колонок «{PHRASE}» і «{LABEL}» "
            "(перший рядок — заголовок, як у файлі з команди inbox)"
        ) from None
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (max(phrase_at, label_at) + 1 - len(cells))
        rows.append(
            LabelledRow(
                line=reader.line_num,
                phrase=unsafe_cell(cells[phrase_at].strip()),
                label=cells[label_at].strip(),
            )
        )
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Ukrainian Windows; Cyrillic in it is never valid UTF-8.
        return data.decode("cp1251", errors="replace")
