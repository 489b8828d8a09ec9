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


ENCODING_NAMES = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "cp1251": "cp1251",
    "cp866": "cp866",
    "koi8-u": "koi8_u",
}
# Letters of Ukrainian and Russian text; a file decoded with the wrong
# single-byte code page shows mostly other characters (box drawing, Latin-1).
_CYRILLIC = re.compile(r"[А-ЯҐЄІЇа-яґєіїЁё]")
_SUSPICIOUS = re.compile(
    "[\u00a0-\u00bf\u2020-\u2030\u2039\u203a\u2122\u2500-\u257f"
    "\u0402\u0403\u0405\u0408-\u040c\u040f\u0452\u0453\u0455\u0458-\u045c\u045f]"
)


def decode(data: bytes, encoding: str = "") -> Tuple[str, str]:
    """The text and the encoding: as named, else detected (UTF-8 BOM, else UTF-8,
    else Windows-1251).

    Windows-1251 Cyrillic is almost never valid UTF-8, so trying UTF-8 first
    is a reliable test. A file that decodes as Windows-1251 but does not read
    as Ukrainian or Russian text (e.g. a DOS CP866 file) is refused instead of
    being imported as gibberish.
    """
    if encoding:
        try:
            return data.decode(ENCODING_NAMES.get(encoding, encoding)), encoding
        except (UnicodeDecodeError, LookupError) as error:
            raise StaffError(f"файл не читається в кодуванні {encoding}: {error}") from error
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
        text = data.decode("cp1251")
    except UnicodeDecodeError as error:
        raise StaffError(
            "не вдалося визначити кодування: ні UTF-8, ні Windows-1251. Вкажіть кодування "
            "параметром --encoding (utf-8, cp1251, cp866, koi8-u)"
        ) from error
    if not plausible_text(text):
        raise StaffError(
            "файл читається як Windows-1251, але текст у ньому не схожий на український чи "
            "російський (можливо, це DOS-кодування CP866 або KOI8-U). Нічого не змінено. "
            "Вкажіть кодування параметром --encoding, напр. --encoding cp866"
        )
    return text, "cp1251"


def plausible_text(text: str) -> bool:
    """Whether the letters of a decoded file look like Ukrainian/Russian text."""
    cyrillic = len(_CYRILLIC.findall(text))
    suspicious = len(_SUSPICIOUS.findall(text))
    return suspicious <= max(3, cyrillic // 20)


def detect_delimiter(header_line: str) -> str:
    semicolons, commas = header_line.count(";"), header_line.count(",")
    if semicolons == 0 and commas == 0:
        raise StaffError("у заголовку немає роздільника колонок («;» або «,»)")
    return ";" if semicolons >= commas else ","


def read_csv(path: Path, encoding: str = "") -> CsvText:
    """Reads and decodes a file, detecting the delimiter from its header and the
    encoding too unless one is named."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StaffError(f"не вдалося прочитати {path}: {error.strerror}") from error
    text, encoding = decode(data, encoding)
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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def safe_cell(cell: object) -> str:
    """A cell Excel will not run as a formula: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe; plain negative numbers
    stay numbers."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_START) and not _SIGNED_NUMBER.match(text):
        return "'" + text
    return text


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
    writer.writerow([safe_cell(cell) for cell in header])
    count = 0
    try:
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
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
