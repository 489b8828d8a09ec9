"""What is kept to honour a consumer's "forget me" until every store has forgotten."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String

from core.db.types import AwareDateTime, Base


class ForgetRequest(Base):
    """A messenger user asked for their data to be deleted. The subscriber data
    goes at once; the conversations in Rasa's store go with the next retention
    run (`teplo privacy purge`), which then deletes this row too."""

    __tablename__ = "forget_requests"

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender_id = Column(String(80), nullable=False)
    requested_at = Column(AwareDateTime(), nullable=False)
