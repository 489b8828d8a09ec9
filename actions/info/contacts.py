"""The subscriber service's contacts: staff settings first, then the environment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from actions.db import repository as repo
from actions.db.engine import run_in_session
from actions.settings import Settings, get_settings

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
        phone=repo.get_setting(session, PHONE_KEY) or settings.operator_phone,
        hours=repo.get_setting(session, HOURS_KEY) or settings.operator_hours,
        email=repo.get_setting(session, EMAIL_KEY) or settings.operator_email,
    )


async def current_contacts() -> Contacts:
    settings = get_settings()
    return await run_in_session(lambda s: load_contacts(s, settings))


async def operator_contacts_line() -> str:
    return (await current_contacts()).line()
