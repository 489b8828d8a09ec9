"""The month's readings, the accounts still to submit and the month summary as
Excel workbooks for clerks (`openpyxl`), beside the CSV files.

Account numbers are text cells (0100004 stays 0100004), dates are Excel dates
in Kyiv time, readings are numbers shown with the meter's own decimals. Text
never becomes a formula, whatever billing put into a name or an address.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, List, Optional, Sequence, Union

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.billing.export import ExportRow
from core.reporting.missing import MissingAccount
from core.reporting.month import MonthFigures
from core.settings import KYIV

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "@"
DATE = "DD.MM.YYYY"
DATE_TIME = "DD.MM.YYYY HH:MM"
KIND_LABELS = {"heat": "тепло", "hot_water": "гаряча вода"}

Value = Union[str, int, Decimal, date, datetime, None]


class Column:
    def __init__(self, title: str, width: int, number_format: str = "General") -> None:
        self.title, self.width, self.number_format = title, width, number_format


def decimals_format(decimals: int) -> str:
    return "0" if decimals <= 0 else "0." + "0" * decimals


def _local(moment: Optional[datetime]) -> Optional[datetime]:
    """Excel has no time zones: the Kyiv wall time a clerk expects."""
    return None if moment is None else moment.astimezone(KYIV).replace(tzinfo=None)


def _sheet(
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Value]],
    formats: Optional[Iterable[Sequence[Optional[str]]]] = None,
) -> None:
    """Header, rows, widths, a frozen header and a filter."""
    sheet.append([column.title for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    row_formats = iter(formats) if formats is not None else None
    for index, values in enumerate(rows, start=2):
        overrides = next(row_formats) if row_formats is not None else ()
        for position, (column, value) in enumerate(zip(columns, values), start=1):
            cell = sheet.cell(row=index, column=position, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=…" from billing stays text, never a formula
            override = overrides[position - 1] if position <= len(overrides) else None
            cell.number_format = override or column.number_format
    for position, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


READINGS_COLUMNS = (
    Column("Особовий рахунок", 16, TEXT),
    Column("Лічильник", 16, TEXT),
    Column("Вид", 12),
    Column("Одиниця", 9),
    Column("Період", 9, TEXT),
    Column("Показник", 12),
    Column("Попередній", 12),
    Column("Споживання", 12),
    Column("Передано", 17, DATE_TIME),
    Column("Канал", 10),
)


def readings_workbook(period: str, rows: Sequence[ExportRow]) -> bytes:
    """The readings the assistant took for the period, one row per meter."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Показники {period}"
    values, formats = [], []
    for row in rows:
        values.append(
            [
                row.account_number,
                row.meter_serial,
                KIND_LABELS.get(row.meter_kind, row.meter_kind),
                row.unit,
                row.period,
                row.reading,
                row.previous_reading,
                row.consumption,
                _local(row.submitted_at),
                row.channel,
            ]
        )
        shown = decimals_format(row.decimals)
        formats.append([None] * 5 + [shown, shown, shown])
    _sheet(sheet, READINGS_COLUMNS, values, formats)
    return _bytes(workbook)


MISSING_COLUMNS = (
    Column("Особовий рахунок", 16, TEXT),
    Column("Власник", 28),
    Column("Вулиця", 24),
    Column("Будинок", 9, TEXT),
    Column("Квартира", 9, TEXT),
    Column("Без показника", 14),
    Column("Лічильників", 12),
    Column("Останній показник", 18, DATE),
    Column("Месенджери", 16),
)


def missing_workbook(period: str, rows: Sequence[MissingAccount]) -> bytes:
    """Accounts still to submit: whom to call, whom to write to (no messenger)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Не передали {period}"
    _sheet(
        sheet,
        MISSING_COLUMNS,
        (
            [
                row.account_number,
                row.owner_name,
                row.street,
                row.house,
                row.apartment,
                row.meters_without_reading,
                row.meters,
                _local(row.last_submitted_at).date() if row.last_submitted_at else None,
                row.messengers,
            ]
            for row in rows
        ),
    )
    return _bytes(workbook)


def summary_rows(stats: MonthFigures) -> List[List[Value]]:
    """The figures of `teplo stats` as (label, value) pairs."""
    return [
        ["Період", stats.period],
        ["Активних рахунків", stats.active_accounts],
        ["Рахунків з лічильниками", stats.accounts_due],
        ["Рахунків з показниками", stats.accounts_submitted],
        ["Активних лічильників", stats.active_meters],
        ["Лічильників з показниками", stats.meters_submitted],
        ["Показників через асистента (чинних)", stats.readings],
        ["Відхилених спроб", sum(stats.rejections.values())],
        ["Незрозумілих повідомлень", sum(stats.fallbacks.values())],
    ]


def summary_workbook(stats: MonthFigures) -> bytes:
    """Two sheets: the month's figures, and readings by day and channel."""
    workbook = Workbook()
    figures = workbook.active
    figures.title = "Підсумок"
    _sheet(
        figures, (Column("Показник", 38), Column("Значення", 14, "General")), summary_rows(stats)
    )
    days = workbook.create_sheet("За днями")
    channels = stats.channels
    rows = []
    for day, counts in sorted(stats.per_day.items()):
        rows.append([day, *(counts[c] for c in channels), sum(counts.values())])
    _sheet(
        days,
        (Column("День", 12, DATE), *(Column(c, 10) for c in channels), Column("Усього", 10)),
        rows,
    )
    return _bytes(workbook)
