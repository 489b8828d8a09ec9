"""The tariffs table: reading a staff CSV and replacing tariffs by their key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.billing.csvfiles import cells_of, check_header, fits, parse_date, parse_decimal, read_csv
from core.db.models import Tariff
from core.errors import StaffError

TARIFF_COLUMNS = ("service", "category", "unit", "price_uah", "valid_from")
TARIFF_OPTIONAL = ("note",)
# Tariff.price_uah is NUMERIC(12, 4); the text columns' widths come from the model.
PRICE_PRECISION, PRICE_SCALE = 12, 4
TARIFF_LENGTHS = {"service": 80, "category": 80, "unit": 20}


@dataclass(frozen=True)
class TariffRow:
    service: str
    category: str
    unit: str
    price_uah: Decimal
    valid_from: date
    note: str

    @property
    def key(self) -> Tuple[str, str, date]:
        return self.service, self.category, self.valid_from


def parse_tariffs(path: Path) -> List[TariffRow]:
    """All rows of a tariff file; raises StaffError listing every bad row."""
    text = read_csv(path)
    width = check_header(text.header, TARIFF_COLUMNS, TARIFF_OPTIONAL)
    rows: List[TariffRow] = []
    errors: List[str] = []
    seen: Dict[Tuple[str, str, date], int] = {}
    for line, raw in text.rows():
        try:
            row = _tariff_row(cells_of(raw, width))
        except ValueError as error:
            errors.append(f"рядок {line}: {error}")
            continue
        if row.key in seen:
            errors.append(
                f"рядок {line}: повторює рядок {seen[row.key]} (послуга, категорія і дата)"
            )
            continue
        seen[row.key] = line
        rows.append(row)
    if errors:
        raise StaffError("тарифи не імпортовано:\n  " + "\n  ".join(errors))
    if not rows:
        raise StaffError("у файлі немає жодного тарифу")
    return rows


def _tariff_row(cells: List[str]) -> TariffRow:
    service, category, unit, price_text, date_text = cells[:5]
    note = cells[5] if len(cells) > 5 else ""
    for column, value in zip(TARIFF_COLUMNS, (service, category, unit)):
        if not value:
            raise ValueError(f"порожнє поле {column}")
        if len(value) > TARIFF_LENGTHS[column]:
            raise ValueError(f"{column}: задовге значення (найбільше {TARIFF_LENGTHS[column]})")
    try:
        price = parse_decimal(price_text)
    except ValueError:
        raise ValueError(f"ціна «{price_text}» не є числом") from None
    if not fits(price, PRICE_PRECISION, PRICE_SCALE):
        raise ValueError(
            f"ціна «{price_text}» завелика або має понад {PRICE_SCALE} знаки після коми"
        )
    try:
        valid_from = parse_date(date_text)
    except ValueError:
        raise ValueError(f"дата «{date_text}» не розпізнана (ДД.ММ.РРРР або РРРР-ММ-ДД)") from None
    return TariffRow(service, category, unit, price, valid_from, note)


def import_tariffs(session: Session, rows: List[TariffRow]) -> Tuple[int, int, int]:
    """Adds or replaces tariffs by (service, category, valid from); returns added, updated, unchanged."""
    existing = {
        (t.service, t.category, t.valid_from): t for t in session.execute(select(Tariff)).scalars()
    }
    added = updated = unchanged = 0
    for row in rows:
        tariff = existing.get(row.key)
        if tariff is None:
            session.add(
                Tariff(
                    service=row.service,
                    category=row.category,
                    unit=row.unit,
                    price_uah=row.price_uah,
                    valid_from=row.valid_from,
                    note=row.note,
                )
            )
            added += 1
        elif (tariff.unit, tariff.price_uah, tariff.note) != (row.unit, row.price_uah, row.note):
            tariff.unit, tariff.price_uah, tariff.note = row.unit, row.price_uah, row.note
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return added, updated, unchanged
