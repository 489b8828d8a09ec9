"""Staff files stay trustworthy: a file in the wrong code page is refused, not
imported as gibberish; a file with empty meter columns cannot switch every meter
off; exported cells never run as Excel formulas."""

from __future__ import annotations

import csv
import io

from core.billing.csvfiles import decode, safe_cell, write_csv
from staff.cli import main
from staff.common import EXIT_FAILED, EXIT_OK
from tests.staff.test_billing_import import HEADER, accounts, write


def test_a_dos_file_is_refused_with_a_way_to_name_the_encoding(engine, tmp_path, capsys):
    row = "0500001;Андреенко Андрей;ул. Сенная;1;1;S-1;heat;Gcal;12,5;31.10.2026"
    path = write(tmp_path / "dos.csv", row, encoding="cp866")
    assert main(["billing", "import", str(path)]) == EXIT_FAILED
    error = capsys.readouterr().err
    assert "--encoding" in error and "cp866" in error
    assert accounts() == {}
    assert main(["billing", "import", str(path), "--encoding", "cp866"]) == EXIT_OK
    assert accounts()["0500001"][:2] == ("Андреенко Андрей", "ул. Сенная")


def test_ukrainian_text_in_windows_1251_is_still_detected():
    text, encoding = decode("Андрієнко;вул. Сінна;Їжак;Ґанок;Євген".encode("cp1251"))
    assert encoding == "cp1251" and "Ґанок" in text


def meter_rows(count: int, with_meters: bool) -> list:
    return [
        f"07{n:05d};Абонент {n};вул. Сінна;{n};1;"
        + (f"M-{n};heat;Gcal;;" if with_meters else ";;;;")
        for n in range(count)
    ]


def test_full_import_with_empty_meter_columns_is_refused(engine, tmp_path, capsys):
    assert main(["billing", "import", str(write(tmp_path / "a.csv", *meter_rows(150, True)))]) == 0
    emptied = write(tmp_path / "b.csv", *meter_rows(150, False))
    assert main(["billing", "import", "--full", str(emptied)]) == EXIT_FAILED
    assert "лічильників" in capsys.readouterr().err


def test_formula_looking_cells_are_neutralised_but_numbers_stay_numbers():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+380501234567") == "'+380501234567"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-12,5") == "-12,5" and safe_cell("12,5") == "12,5"
    stream = io.BytesIO()
    write_csv(stream, "utf-8", ["a", "b"], [["=1+1", "ok"]])
    rows = list(csv.reader(io.StringIO(stream.getvalue().decode()), delimiter=";"))
    assert rows[1] == ["'=1+1", "ok"]


def test_the_header_is_what_the_import_expects():
    assert HEADER.startswith("account_number")
