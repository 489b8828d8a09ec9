"""Conversation review («Розмови»): what admins note about a conversation of Rasa's
tracker store. The conversation itself stays in the tracker store; a row here
exists only once an admin tagged it, marked it reviewed or saved it as a test story."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Text

from core.db.types import AwareDateTime, Base


class ConversationReview(Base):
    __tablename__ = "conversation_reviews"
    __table_args__ = (Index("ix_review_sender", "channel", "sender_id"),)

    id = Column(Integer, primary_key=True)
    # The tracker store's id of the conversation's first event (Rasa's
    # action_session_start): stable, since Rasa only ever appends events.
    first_event_id = Column(Integer, nullable=False, unique=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    # When the conversation began: retention deletes the row with the conversation.
    started_at = Column(AwareDateTime(), nullable=False, index=True)
    tags = Column(Text, nullable=False, default="[]")  # JSON list of short words
    reviewed_by = Column(String(60), nullable=True)
    reviewed_at = Column(AwareDateTime(), nullable=True)
    # The test story candidate written from it (a file in the candidates folder).
    story_file = Column(String(300), nullable=True)
    story_saved_by = Column(String(60), nullable=True)
    story_saved_at = Column(AwareDateTime(), nullable=True)
    updated_at = Column(AwareDateTime(), nullable=False)
