"""Reports for clerks as CSV or Excel: the month's readings, the accounts still
to submit, the month summary. One audited operation for the console and `teplo`
(the files carry names and addresses)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.billing.csvfiles import write_csv
from core.billing.export import accepted_readings, write_export
from core.errors import StaffError
from core.reporting import xlsx
from core.reporting.missing import COLUMNS as MISSING_COLUMNS
from core.reporting.missing import missing_accounts
from core.reporting.month import month_figures
from core.repository.audit import record_audit

REPORTS = {
    "readings": "показники",
    "missing": "не передали показники",
    "summary": "підсумок місяця",
}
FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content_type: str
    data: bytes
    rows: int


def export_report(
    session: Session, actor: str, now: datetime, report: str, period: str, file_format: str
) -> ReportFile:
    """The report as a file; audited as `export` with the report, period and format."""
    if report not in REPORTS:
        raise StaffError(f"невідомий звіт «{report}»: {', '.join(REPORTS)}")
    if file_format not in FORMATS:
        raise StaffError(f"формат «{file_format}» не підтримується: csv або xlsx")
    excel = file_format == "xlsx"
    buffer = io.BytesIO()
    if report == "readings":
        rows = accepted_readings(session, period)
        count = len(rows)
        data = xlsx.readings_workbook(period, rows) if excel else None
        if not excel:
            write_export(buffer, rows, "utf-8-sig")
    elif report == "missing":
        missing = missing_accounts(session, period)
        count = len(missing)
        data = xlsx.missing_workbook(period, missing) if excel else None
        if not excel:
            write_csv(buffer, "utf-8-sig", MISSING_COLUMNS, (row.cells() for row in missing))
    else:
        stats = month_figures(session, period)
        pairs = xlsx.summary_rows(stats)
        count = len(pairs)
        data = xlsx.summary_workbook(stats) if excel else None
        if not excel:
            write_csv(buffer, "utf-8-sig", ("figure", "value"), pairs)
    record_audit(
        session,
        actor,
        "export",
        f"{REPORTS[report]} {period}",
        None,
        {"report": report, "format": file_format, "rows": count},
        now,
    )
    return ReportFile(
        f"{report}-{period}.{file_format}",
        xlsx.CONTENT_TYPE if excel else CSV_TYPE,
        data if data is not None else buffer.getvalue(),
        count,
    )
