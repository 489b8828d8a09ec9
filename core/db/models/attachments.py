"""Photos and documents consumers send (a meter's display, a replacement act).

The file itself lives outside the database, in the attachments folder
(`ATTACHMENTS_DIR`), under a random name; the row says whose it is and what it
was sent for.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String

from core.db.types import AwareDateTime, Base


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachment_sender", "channel", "sender_id"),
        Index("ix_attachment_account", "account_id", "received_at"),
    )

    id = Column(Integer, primary_key=True)
    # Random, unguessable: the file's name in the folder and the id the
    # assistant is told about (never chosen by the sender).
    token = Column(String(32), nullable=False, unique=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    # What the conversation was about when it came, if anything.
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=True)
    meter_id = Column(Integer, ForeignKey("meters.id"), nullable=True)
    period = Column(String(7), nullable=True)  # "YYYY-MM"
    content_type = Column(String(40), nullable=False)
    size_bytes = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    received_at = Column(AwareDateTime(), nullable=False, index=True)
