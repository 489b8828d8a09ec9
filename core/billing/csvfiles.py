"""Reading the CSV files billing systems produce and writing ones they accept.

Billing exports here come as UTF-8 (with or without BOM) or Windows-1251,
separated by ";" or ",", with decimal commas and dd.mm.yyyy dates; this module
hides all of that from the importers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, List, Sequence, Tuple

from core.errors import StaffError

# Names the tool accepts for --encoding, mapped to Python codecs.
OUTPUT_ENCODINGS = {
    "utf-8-sig": "utf-8-sig",
    "utf-8": "utf-8",
    "cp1251": "cp1251",
    "windows-1251": "cp1251",
}

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Spaces (plain, no-break, narrow no-break) group thousands in "1 234,5".
_GROUPING = str.maketrans("", "", " \u00a0\u202f")


@dataclass(frozen=True)
class CsvText:
    """A decoded file and what was detected; rows are read lazily (files reach 30 MB)."""

    text: str
    header: List[str]
    encoding: str
    delimiter: str

    @property
    def line_count(self) -> int:
        """Physical lines, for progress bars."""
        return self.text.count("\n") + 1

    def rows(self) -> Iterator[Tuple[int, List[str]]]:
        """(line number, cells) of every non-blank record after the header."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        start, seen_header = 1, False
        try:
            for cells in reader:
                # line_num is where the record ends; it starts after the previous one.
                line, start = start, reader.line_num + 1
                # Blank lines are skipped; the first cell settles it for almost every row.
                if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                    continue
                if seen_header:
                    yield line, cells
                seen_header = True
        except csv.Error as error:
            raise StaffError(
                f"рядок {reader.line_num}: файл не є правильним CSV ({error})"
            ) from error


def decode(data: bytes) -> Tuple[str, str]:
    """The text and the detected encoding: UTF-8 BOM, else UTF-8, else Windows-1251.

    Windows-1251 Cyrillic is almost never valid UTF-8, so trying UTF-8 first
    is a reliable test.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise StaffError(f"файл має позначку UTF-8 (BOM), але не є UTF-8: {error}") from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError as error:
        raise StaffError("не вдалося визначити кодування: ні UTF-8, ні Windows-1251") from error


def detect_delimiter(header_line: str) -> str:
    semicolons, commas = header_line.count(";"), header_line.count(",")
    if semicolons == 0 and commas == 0:
        raise StaffError("у заголовку немає роздільника колонок («;» або «,»)")
    return ";" if semicolons >= commas else ","


def read_csv(path: Path) -> CsvText:
    """Reads and decodes a file, detecting encoding and delimiter from its header."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StaffError(f"не вдалося прочитати {path}: {error.strerror}") from error
    text, encoding = decode(data)
    del data
    first = next((line for line in _lines(text) if line.strip()), None)
    if first is None:
        raise StaffError(f"файл {path} порожній")
    delimiter = detect_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter))
    header = [cell.strip().lower() for cell in _without_trailing_empty(header)]
    return CsvText(text=text, header=header, encoding=encoding, delimiter=delimiter)


def _lines(text: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


def check_header(
    found: Sequence[str], expected: Sequence[str], optional: Sequence[str] = ()
) -> int:
    """Raises unless the header is `expected` (+ optional columns in order); returns column count."""
    for extra in range(len(optional), -1, -1):
        wanted = list(expected) + list(optional[:extra])
        if list(found) == wanted:
            return len(wanted)
    raise StaffError(
        "неочікуваний заголовок файлу.\n  очікується: "
        + ";".join(expected)
        + (f"[;{';'.join(optional)}]" if optional else "")
        + "\n  у файлі:    "
        + ";".join(found)
    )


def cells_of(cells: List[str], width: int) -> List[str]:
    """The row's cells, stripped; raises ValueError on a wrong column count.

    Empty cells past the last column are tolerated: spreadsheets add them.
    """
    cells = _without_trailing_empty(cells)
    if len(cells) > width:
        raise ValueError(f"колонок {len(cells)}, а має бути {width}")
    if len(cells) < width:
        cells = cells + [""] * (width - len(cells))
    return [cell.strip() for cell in cells]


def parse_decimal(text: str) -> Decimal:
    """ "1 234,567" or "1234.567" -> Decimal; raises ValueError for anything else.

    Negative numbers and exponents are refused: no meter or price shows them.
    """
    cleaned = text.translate(_GROUPING)
    if not _NUMBER.match(cleaned):
        raise ValueError(text)
    return Decimal(cleaned.replace(",", "."))


def decimals_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def fits(value: Decimal, precision: int, scale: int) -> bool:
    """Whether the value fits NUMERIC(precision, scale) without rounding."""
    _, digits, exponent = value.as_tuple()
    decimals = -exponent if exponent < 0 else 0
    return decimals <= scale and len(digits) - decimals <= precision - scale


@lru_cache(maxsize=4096)  # an export repeats a handful of dates 300,000 times
def parse_date(text: str) -> date:
    """dd.mm.yyyy or yyyy-mm-dd; raises ValueError otherwise."""
    match = _DMY.match(text)
    if match:
        day, month, year = map(int, match.groups())
        return date(year, month, day)
    match = _ISO.match(text)
    if match:
        year, month, day = map(int, match.groups())
        return date(year, month, day)
    raise ValueError(text)


def format_decimal_comma(value: Decimal) -> str:
    """1234.5 -> "1234,5": no grouping, so billing parsers read it back."""
    return f"{value:f}".replace(".", ",")


def write_csv(
    stream: BinaryIO,
    encoding: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    delimiter: str = ";",
) -> int:
    """Writes rows with CRLF line ends (what Excel and billing expect); returns row count."""
    text = io.TextIOWrapper(
        stream, encoding=OUTPUT_ENCODINGS[encoding], newline="", write_through=True
    )
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    try:
        for row in rows:
            writer.writerow(row)
            count += 1
    except UnicodeEncodeError as error:
        raise StaffError(
            f"символ «{error.object[error.start : error.end]}» не можна записати "
            f"у кодуванні {encoding}"
        ) from error
    finally:
        text.flush()
        text.detach()  # the caller owns the stream
    return count


def _without_trailing_empty(cells: List[str]) -> List[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]
