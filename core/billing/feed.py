"""Readings as billing receives them: the export's columns plus what a correction replaces.

The drop file and the pull API render the same rows. The first ten columns
are those of `export-readings` (decimal comma, ISO times with the Kyiv
offset); three more identify the reading and, for a correction, the reading
it replaces and that reading's value, so billing can apply it as a
replacement.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Dict, List, Optional

from core.billing.export import COLUMNS, ExportRow
from core.repository.billing import FeedEntry

FEED_COLUMNS = COLUMNS + ("reading_id", "replaces_reading_id", "replaces_reading")

_CURSOR_PREFIX = "v1:"  # unsigned, before cursors were signed
_SIGNED_PREFIX = "v2:"
# Feed positions are integers in the database; anything longer is not ours.
MAX_POSITION_DIGITS = 15
# A feed entry carries ExportRow's fields under the same names.
_EXPORT_FIELDS = tuple(field.name for field in fields(ExportRow))


@dataclass(frozen=True)
class FeedRow:
    position: int
    reading_id: int
    row: ExportRow
    replaces_reading_id: Optional[int]
    replaces_value: Optional[Decimal]

    @classmethod
    def of(cls, entry: FeedEntry) -> "FeedRow":
        row = ExportRow(**{name: getattr(entry, name) for name in _EXPORT_FIELDS})
        return cls(
            entry.position, entry.reading_id, row, entry.replaces_reading_id, entry.replaces_reading
        )

    @property
    def is_correction(self) -> bool:
        return self.replaces_reading_id is not None

    def cells(self) -> List[str]:
        """The CSV cells: decimal comma, as in `export-readings`."""
        return self.row.cells() + [
            str(self.reading_id),
            "" if self.replaces_reading_id is None else str(self.replaces_reading_id),
            self.row._number(self.replaces_value),
        ]

    def as_json(self) -> Dict[str, object]:
        """JSON: numbers as strings with a decimal point, so nothing passes through float."""
        row = self.row
        return {
            "reading_id": self.reading_id,
            "account_number": row.account_number,
            "meter_serial": row.meter_serial,
            "meter_kind": row.meter_kind,
            "unit": row.unit,
            "period": row.period,
            "reading": _plain(row.reading),
            "previous_reading": _plain(row.previous_reading),
            "consumption": _plain(row.consumption),
            "submitted_at": row.submitted_at.isoformat(timespec="seconds"),
            "channel": row.channel,
            "replaces_reading_id": self.replaces_reading_id,
            "replaces_reading": _plain(self.replaces_value),
        }


def _plain(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else f"{value:f}"


def _signature(secret: bytes, position: int) -> str:
    return hmac.new(secret, f"{_SIGNED_PREFIX}{position}".encode(), hashlib.sha256).hexdigest()[:32]


def encode_cursor(position: int, secret: bytes) -> str:
    """An opaque cursor: clients pass it back as is and never build one.

    HMAC-signed with `secret` (the pull API's key for this client), so that a
    client cannot claim a position it never got (that would mark readings as
    pulled that were not, and falsify `teplo stats`).
    """
    text = f"{_SIGNED_PREFIX}{position}:{_signature(secret, position)}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Cursor:
    position: int
    signed: bool  # False: a "v1:" cursor of before signing, trusted only as far as the client got


def decode_cursor(cursor: str, secret: bytes) -> Cursor:
    """The position after which the next page starts; ValueError for a cursor we
    never gave (garbage, a forged or another client's signature, a number too big)."""
    if len(cursor) > 200:
        raise ValueError("bad cursor")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("bad cursor") from error
    if text.startswith(_CURSOR_PREFIX):
        digits = text[len(_CURSOR_PREFIX) :]
        if digits.isdigit() and len(digits) <= MAX_POSITION_DIGITS:
            return Cursor(int(digits), signed=False)
        raise ValueError("bad cursor")
    digits, _, signature = text[len(_SIGNED_PREFIX) :].partition(":")
    if (
        not text.startswith(_SIGNED_PREFIX)
        or not digits.isdigit()
        or len(digits) > MAX_POSITION_DIGITS
        or not hmac.compare_digest(signature.encode(), _signature(secret, int(digits)).encode())
    ):
        raise ValueError("bad cursor")
    return Cursor(int(digits), signed=True)
