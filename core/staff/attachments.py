"""A photo or document a consumer sent, handed to staff (console download,
`teplo attachments open`); every handing-out is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.attachments import path_of
from core.db.models import Account
from core.repository import attachments as attachments_repo
from core.repository import audit as audit_repo
from core.staff.result import Result


@dataclass(frozen=True)
class AttachmentFile:
    path: Path
    content_type: str


def open_attachment(
    session: Session, actor: str, now: datetime, attachment_id: int, how: str = "download"
) -> Result:
    """The file of an attachment (value: `AttachmentFile`), audited as `attachment_download`."""
    attachment = attachments_repo.by_id(session, attachment_id)
    if attachment is None:
        return Result.refused(f"Вкладення №{attachment_id} немає.")
    path = path_of(attachment)
    if not path.is_file():
        return Result.refused(
            f"Файлу вкладення №{attachment_id} немає (можливо, його вже видалено)."
        )
    account = session.get(Account, attachment.account_id) if attachment.account_id else None
    audit_repo.record_audit(
        session,
        actor,
        "attachment_download",
        f"рахунок {account.number}" if account is not None else "без рахунку",
        None,
        {"attachment": attachment.id, "how": how},
        now,
    )
    return Result.done(str(path), AttachmentFile(path, attachment.content_type))
