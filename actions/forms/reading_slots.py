"""The reading form's slots as a `SubmissionDraft` and back.

Slots are JSON: meter ids become text keys, values text. The form, the save
action and the attachment action read the draft through here, so the
conversion lives in one place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

from rasa_sdk import Tracker

from core.readings.checks import MeterFacts
from core.readings.draft import SubmissionDraft


def draft_of(tracker: Tracker) -> SubmissionDraft:
    """The submission as the slots remember it (empty before an account is chosen)."""
    pending = tracker.get_slot("reading_pending")
    return SubmissionDraft(
        meters=tuple(MeterFacts.from_slot(m) for m in tracker.get_slot("reading_meters") or []),
        entries={
            int(meter_id): Decimal(value)
            for meter_id, value in (tracker.get_slot("reading_entries") or {}).items()
        },
        skipped=tuple(int(meter_id) for meter_id in tracker.get_slot("reading_skipped") or []),
        pending=None if pending is None else Decimal(pending),
    )


def draft_slots(draft: SubmissionDraft) -> Dict[str, Any]:
    """The slots that hold what the user gave (the meters' slot is set once, with
    masked serials, when the account is chosen)."""
    return {
        "reading_entries": {str(meter_id): str(value) for meter_id, value in draft.entries.items()},
        "reading_skipped": [str(meter_id) for meter_id in draft.skipped],
        "reading_pending": None if draft.pending is None else str(draft.pending),
    }


def changed_slots(before: SubmissionDraft, after: SubmissionDraft) -> Dict[str, Any]:
    """Only the slots `after` changes: setting the others again would only grow the
    conversation Rasa stores."""
    old = draft_slots(before)
    return {name: value for name, value in draft_slots(after).items() if old[name] != value}
