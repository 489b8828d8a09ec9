"""Links printed on paper bills (QR codes): a random token per account that
opens the chat with the account number filled in (`core.accounts.deeplinks`)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String

from core.db.types import AwareDateTime, Base


class BillLink(Base):
    __tablename__ = "bill_links"

    # One token per account: a new one (teplo billing links --renew) replaces it,
    # and bills printed with the old one then open the ordinary greeting.
    account_id = Column(Integer, ForeignKey("accounts.id"), primary_key=True)
    # Random, carries nothing about the account; what Telegram's /start and
    # Viber's `context` bring back.
    token = Column(String(32), nullable=False, unique=True)
    issued_at = Column(AwareDateTime(), nullable=False)
