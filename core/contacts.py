"""The subscriber service's contacts: staff settings first, then the environment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.db.engine import run_unit_of_work
from core.repository import settings as settings_repo
from core.settings import Settings, get_settings

# Keys of the staff-editable settings table.
PHONE_KEY = "operator_phone"
HOURS_KEY = "operator_hours"
EMAIL_KEY = "operator_email"


@dataclass(frozen=True)
class Contacts:
    phone: str
    hours: str
    email: str

    def line(self) -> str:
        """One line for inside a sentence."""
        text = f"тел. {self.phone} ({self.hours})"
        return text + (f", {self.email}" if self.email else "")


def load_contacts(session: Session, settings: Settings) -> Contacts:
    return Contacts(
        phone=settings_repo.get_setting(session, PHONE_KEY) or settings.operator_phone,
        hours=settings_repo.get_setting(session, HOURS_KEY) or settings.operator_hours,
        email=settings_repo.get_setting(session, EMAIL_KEY) or settings.operator_email,
    )


async def current_contacts() -> Contacts:
    settings = get_settings()
    return await run_unit_of_work(lambda s: load_contacts(s, settings))


async def operator_contacts_line() -> str:
    return (await current_contacts()).line()
