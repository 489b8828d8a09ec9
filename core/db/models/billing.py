"""Hand-over of readings to billing: the delivery feed, drop files and API keys.

Every reading the assistant takes gets one place in the feed (`position`,
assigned under a lock in commit order), and at most one drop file. The feed
is what makes the hand-over exactly once: the pull API pages through it by
position; each drop file holds one unbroken range of positions, the entries
after the previous file's range, so together the feed and the files record
which reading went in which file.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from core.db.types import AwareDateTime, Base

FEED_COUNTER = "feed"


class BillingCounter(Base):
    """The row every feed writer locks: positions and file sequences come from it."""

    __tablename__ = "billing_counters"

    name = Column(String(20), primary_key=True)
    last_position = Column(Integer, nullable=False, default=0)
    last_file_sequence = Column(Integer, nullable=False, default=0)
    # Entries up to here are in a drop file; those after it wait for the next run.
    last_filed_position = Column(Integer, nullable=False, default=0)
    # When every reading was last checked for a place in the feed (see core/billing/pull.py).
    full_scan_at = Column(AwareDateTime(), nullable=True)


class BillingFile(Base):
    """A sequence-numbered drop file: prepared (committed, not yet renamed) or delivered."""

    __tablename__ = "billing_files"

    id = Column(Integer, primary_key=True)
    sequence = Column(Integer, nullable=False, unique=True)
    name = Column(String(80), nullable=False, unique=True)
    folder = Column(Text, nullable=False)
    encoding = Column(String(12), nullable=False)
    rows = Column(Integer, nullable=False)
    # The feed positions the file holds: always one unbroken range, since a run
    # claims every entry in no file yet and new entries come at the end.
    first_position = Column(Integer, nullable=False, default=0)
    last_position = Column(Integer, nullable=False, default=0)
    corrections = Column(Integer, nullable=False, default=0)
    periods = Column(String(200), nullable=False, default="")  # "2026-10,2026-11"
    sha256 = Column(String(64), nullable=False, default="")
    created_at = Column(AwareDateTime(), nullable=False)
    # Set once the file is under its final name; a crash before that leaves it None
    # and the next run finishes the job with the same rows.
    delivered_at = Column(AwareDateTime(), nullable=True)
    acknowledged_at = Column(AwareDateTime(), nullable=True)
    acknowledged_how = Column(String(10), nullable=False, default="")  # "ack" or "moved"
    reoffered_at = Column(AwareDateTime(), nullable=True)


class BillingFeedEntry(Base):
    """One reading's place in the hand-over: its position and the file it went in."""

    __tablename__ = "billing_feed"

    position = Column(Integer, primary_key=True, autoincrement=False)
    reading_id = Column(Integer, ForeignKey("readings.id"), nullable=False, unique=True)
    # The reading of the same meter and period this one corrects, if any.
    replaces_reading_id = Column(Integer, ForeignKey("readings.id"), nullable=True)
    sequenced_at = Column(AwareDateTime(), nullable=False)


class BillingApiKey(Base):
    """A billing client's key for the pull API; only the SHA-256 of the token is kept."""

    __tablename__ = "billing_api_keys"

    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False, unique=True)
    key_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(AwareDateTime(), nullable=False)
    revoked_at = Column(AwareDateTime(), nullable=True)
    last_used_at = Column(AwareDateTime(), nullable=True)
    # The furthest feed position served to this client, for monitoring.
    last_position = Column(Integer, nullable=False, default=0)
