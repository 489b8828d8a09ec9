"""The files for the bill printer: a CSV with both links per account and one
QR code per link (PNG or SVG), made offline with `segno`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import segno

from core.billing.csvfiles import write_csv
from core.errors import StaffError
from core.staff.links import BillLinkRow

COLUMNS = ("account_number", "telegram_link", "viber_link", "telegram_qr", "viber_qr")
CSV_NAME = "links.csv"
QR_FOLDER = "qr"
QR_FORMATS = ("png", "svg")


def _qr(url: str, path: Path, kind: str) -> str:
    # Error correction M survives a smudge on paper; scale 10 gives ~4 cm at 300 dpi.
    segno.make(url, error="m", micro=False).save(str(path), kind=kind, scale=10, border=4)
    return f"{QR_FOLDER}/{path.name}"


def write_bill_links(out_dir: Path, rows: Sequence[BillLinkRow], qr_format: str = "png") -> Path:
    """Writes links.csv and qr/<account>-telegram.<ext>, qr/<account>-viber.<ext>;
    returns the CSV's path."""
    if qr_format not in QR_FORMATS:
        raise StaffError(f"формат QR-кодів «{qr_format}» не підтримується: png або svg")
    folder = out_dir / QR_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StaffError(f"не вдалося створити теку {folder}: {error.strerror}") from None
    cells: List[List[str]] = []
    for row in rows:
        telegram = (
            _qr(row.telegram, folder / f"{row.account_number}-telegram.{qr_format}", qr_format)
            if row.telegram
            else ""
        )
        viber = (
            _qr(row.viber, folder / f"{row.account_number}-viber.{qr_format}", qr_format)
            if row.viber
            else ""
        )
        cells.append([row.account_number, row.telegram, row.viber, telegram, viber])
    path = out_dir / CSV_NAME
    with path.open("wb") as stream:
        write_csv(stream, "utf-8-sig", COLUMNS, cells)
    return path
