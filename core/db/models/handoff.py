"""Cases («звернення»): a consumer talking to a clerk in the chat itself (issue 22)."""

from __future__ import annotations

import enum

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text

from core.db.types import AwareDateTime, Base


class CaseStatus(str, enum.Enum):
    new = "new"  # opened, no clerk has answered yet
    waiting_us = "waiting_us"  # the consumer wrote last
    waiting_consumer = "waiting_consumer"  # a clerk answered last
    closed = "closed"


class CaseAuthor(str, enum.Enum):
    consumer = "consumer"
    clerk = "clerk"
    assistant = "assistant"  # the conversation before the case, and notices


class Case(Base):
    """One consumer's request for a person; while open, the chat belongs to it."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_case_sender", "channel", "sender_id", "status"),
        Index("ix_case_status", "status", "updated_at"),
    )

    id = Column(Integer, primary_key=True)
    status = Column(String(20), nullable=False)  # a CaseStatus value
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    reason = Column(String(20), nullable=False, default="asked")  # why it was offered
    accounts = Column(Text, nullable=False, default="[]")  # JSON: proved account numbers
    assigned_to = Column(String(60), nullable=True)  # the clerk working on it
    opened_at = Column(AwareDateTime(), nullable=False, index=True)
    updated_at = Column(AwareDateTime(), nullable=False)
    last_consumer_at = Column(AwareDateTime(), nullable=True)
    first_reply_at = Column(AwareDateTime(), nullable=True)
    closed_at = Column(AwareDateTime(), nullable=True)
    closed_by = Column(String(60), nullable=True)  # a clerk, or "consumer"
    close_reason = Column(Text, nullable=False, default="")


class CaseMessage(Base):
    """One line of a case's transcript."""

    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    author = Column(String(12), nullable=False)  # a CaseAuthor value
    clerk = Column(String(60), nullable=True)
    text = Column(Text, nullable=False, default="")
    attachment_token = Column(String(32), nullable=True)
    created_at = Column(AwareDateTime(), nullable=False)
