"""Data exchange with billing that staff start (console «Білінг», `teplo billing
import|export`): the subscriber file in, the accepted readings out. Both audited."""

from __future__ import annotations

from datetime import datetime
from typing import List

from sqlalchemy.orm import Session

from core.billing.export import ExportRow, accepted_readings
from core.billing.importer import ImportPlan, apply_import, check_mass_deactivation, plan_import
from core.billing.subscriber_file import SubscriberFile
from core.repository import audit as audit_repo

ENCODINGS = ("utf-8-sig", "utf-8", "cp1251")


def import_subscribers(
    session: Session,
    actor: str,
    now: datetime,
    parsed: SubscriberFile,
    full: bool,
    allow_mass_deactivation: bool = False,
    dry_run: bool = False,
) -> ImportPlan:
    """Plans the import and, unless `dry_run`, applies and audits it.

    Raises:
        StaffError: a full import would deactivate too many accounts or meters.
    """
    plan = plan_import(session, parsed, full)
    if full and not allow_mass_deactivation:
        check_mass_deactivation(plan)
    if dry_run:
        return plan
    apply_import(session, plan)
    audit_repo.record_audit(
        session,
        actor,
        "billing_import",
        "імпорт з білінгу",
        None,
        {
            "accounts": vars(plan.accounts),
            "meters": vars(plan.meters),
            "readings_added": len(plan.new_readings),
            "rows": parsed.rows,
            "rejected": len(parsed.rejected),
            "full": full,
        },
        now,
    )
    return plan


def import_summary(plan: ImportPlan) -> str:
    return (
        f"Імпорт завершено: рахунків додано {plan.accounts.added}, оновлено "
        f"{plan.accounts.updated}, деактивовано {plan.accounts.deactivated}; лічильників додано "
        f"{plan.meters.added}, оновлено {plan.meters.updated}, деактивовано "
        f"{plan.meters.deactivated}; показників додано {len(plan.new_readings)}."
    )


def export_readings(
    session: Session, actor: str, now: datetime, period: str, encoding: str
) -> List[ExportRow]:
    """The period's readings for billing (names and addresses included); audited."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}")
    rows = accepted_readings(session, period)
    audit_repo.record_audit(
        session,
        actor,
        "export",
        f"вивантаження показників {period}",
        None,
        {"rows": len(rows), "encoding": encoding},
        now,
    )
    return rows
