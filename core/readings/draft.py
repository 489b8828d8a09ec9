"""One account's submission while the conversation fills it: the draft.

The meters are asked in order; each gets a value (checked like any reading),
is skipped, or stays open. A value that needs a «так» (an unusual consumption,
a dial past its maximum) waits as the pending value of the meter asked next;
only one value waits at a time. Several readings in one message go through
the same checks one by one.

Pure: no database, no conversation. Every operation returns an outcome with
the new draft (the old one is never changed) and what the user is to hear; the
front end maps outcomes to its messages and stores the draft where it keeps
state (the reading form: slots). Whatever the draft holds is checked again on
saving (`core.readings.submission.save_submission`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from core.readings.checks import Assessment, MeterFacts, Rejection, Verdict, assess, consumption
from core.readings.parsing import ReadingFormatError, parse_reading
from core.readings.several import Several, lone_reading, meter_named, read_several

Ceilings = Dict[str, Decimal]  # plausible monthly consumption per kind (settings)


@dataclass(frozen=True)
class Confirmation:
    """A value that waits for «так»: `assessment.verdict` says why."""

    meter: MeterFacts
    reading: Decimal
    assessment: Assessment


@dataclass(frozen=True)
class Problem:
    """A value of a message with several readings that was not entered.

    Attributes:
        typed: the number as typed.
        value: the number as read, when it was one (shown instead of `typed`).
    """

    meter: MeterFacts
    typed: str
    reason: Rejection
    value: Optional[Decimal] = None


@dataclass(frozen=True)
class SummaryLine:
    """A meter at the summary: its value and consumption, or skipped (value None)."""

    meter: MeterFacts
    value: Optional[Decimal]
    used: Optional[Decimal]


@dataclass(frozen=True)
class SubmissionDraft:
    """The submission as far as it is filled.

    Attributes:
        meters: the account's active meters, in the order they are asked.
        entries: meter id -> the value accepted (or confirmed) for it.
        skipped: meters left out of this submission, in the order skipped.
        pending: the value of the `current` meter waiting for «так», if any.
    """

    meters: Tuple[MeterFacts, ...] = ()
    entries: Mapping[int, Decimal] = field(default_factory=dict)
    skipped: Tuple[int, ...] = ()
    pending: Optional[Decimal] = None

    @property
    def open_meters(self) -> List[MeterFacts]:
        """Meters with neither a value nor a skip, in the order they are asked."""
        return [m for m in self.meters if m.meter_id not in self.entries and not self._skips(m)]

    @property
    def current(self) -> Optional[MeterFacts]:
        """The meter asked next (None: every meter has a value or a skip)."""
        remaining = self.open_meters
        return remaining[0] if remaining else None

    @property
    def nothing_to_save(self) -> bool:
        """Every meter skipped: the submission ends without a summary."""
        return not self.entries and not self.open_meters

    @property
    def seen_in_force(self) -> Dict[int, Optional[int]]:
        """Per meter, the reading in force when the meters were loaded (for saving:
        `save_submission` tells whether somebody else submitted since)."""
        return {m.meter_id: m.in_force_reading_id for m in self.meters}

    @property
    def submitted_before(self) -> bool:
        """The period already has readings in force: saving corrects them."""
        return any(m.in_force_reading_id is not None for m in self.meters)

    def position(self, meter: MeterFacts) -> int:
        """1 for the first meter asked."""
        return self.meters.index(meter) + 1

    def with_serials(self, serials: Mapping[int, str]) -> SubmissionDraft:
        """The same draft with the meters' full serials (a front end may keep them masked)."""
        meters = tuple(replace(m, serial=serials.get(m.meter_id, m.serial)) for m in self.meters)
        return replace(self, meters=meters)

    # --- reading what the user typed ----------------------------------------------

    def readings_in_request(self, text: str, account_number: str) -> Optional[Several]:
        """Readings in the message that started the submission («хочу передати:
        тепло 13,1»): numbers a word ties to a meter or, with one meter, the one
        number that is not the account's."""
        meters, ids = self.meters, [m.meter_id for m in self.meters]
        return read_several(text, meters, ids, labeled_only=True) or lone_reading(
            text, meters, exclude=[account_number]
        )

    def readings_in_answer(self, text: str) -> Optional[Several]:
        """Several readings in an answer to a meter's prompt (unlabeled numbers go
        to the meters still open); None when it is one value for the current meter."""
        return read_several(text, self.meters, [m.meter_id for m in self.open_meters])

    def correction_in(self, text: str) -> Optional[Several]:
        """«я помилився, має бути 122,5» at a one-meter summary: the new value."""
        return lone_reading(text, self.meters)

    def meter_chosen(self, text: str) -> Optional[MeterFacts]:
        """The meter a «Змінити» answer names: its id (a button) or words («кухня»)."""
        chosen = next((m for m in self.meters if str(m.meter_id) == text), None)
        if chosen is not None:
            return chosen
        named = meter_named(text, self.meters)
        return next((m for m in self.meters if m.meter_id == named), None)

    # --- operations -----------------------------------------------------------------

    def enter(self, reading: Decimal, decimals: int, ceilings: Ceilings) -> Entered:
        """The value typed at the current meter's prompt (there must be one)."""
        meter = self.current
        if meter is None:
            raise ValueError("no meter is asked")
        assessment = assess(meter, reading, decimals, ceilings)
        refused = _refusals(assessment)
        if assessment.rejection is not None:
            return Entered(self.unanswered(), meter, reading, decimals, assessment, refused)
        if assessment.verdict != Verdict.ACCEPTED:
            return Entered(
                replace(self, pending=reading), meter, reading, decimals, assessment, refused
            )
        draft = replace(self, entries={**self.entries, meter.meter_id: reading}, pending=None)
        return Entered(draft, meter, reading, decimals, assessment, refused)

    def unanswered(self) -> SubmissionDraft:
        """An answer that gives no value: the current meter is asked again, and a
        value that waited for «так» is forgotten."""
        return replace(self, pending=None)

    def confirm(self, yes: bool) -> Confirmed:
        """The answer to «так?»: yes enters the pending value, anything else drops it."""
        meter = self.current
        if not yes or self.pending is None or meter is None:
            return Confirmed(self.unanswered(), None)
        entries = {**self.entries, meter.meter_id: self.pending}
        return Confirmed(replace(self, entries=entries, pending=None), meter)

    def skip(self) -> Skipped:
        """The current meter is left out («пропустити», «лічильник зламаний»)."""
        meter = self.current
        if meter is None:
            raise ValueError("no meter is asked")
        draft = replace(self, skipped=self.skipped + (meter.meter_id,), pending=None)
        return Skipped(draft, meter, draft.nothing_to_save)

    def reopen(self, meter: MeterFacts) -> SubmissionDraft:
        """«Змінити» that meter: it is asked again, the others keep their values."""
        entries = {k: v for k, v in self.entries.items() if k != meter.meter_id}
        skipped = tuple(s for s in self.skipped if s != meter.meter_id)
        return replace(self, entries=entries, skipped=skipped, pending=None)

    def restart(self) -> SubmissionDraft:
        """Every meter asked again from the first."""
        return replace(self, entries={}, skipped=(), pending=None)

    def take_several(self, several: Several, ceilings: Ceilings) -> SeveralTaken:
        """Each value of a message with several readings passes the checks of a
        value typed alone; what passes is entered (replacing a value or a skip of
        before), what needs a «так» waits only if its meter is the one asked
        next, and the rest is reported and asked again."""
        entries, skipped = dict(self.entries), list(self.skipped)
        taken: Dict[int, Decimal] = {}
        problems: List[Problem] = []
        refused: List[Rejection] = []
        to_confirm: List[Confirmation] = []
        for meter in self.meters:
            typed = several.values.get(meter.meter_id)
            if typed is None:
                continue
            try:
                reading, decimals = parse_reading(typed)
            except ReadingFormatError:
                refused.append(Rejection.NOT_A_NUMBER)
                problems.append(Problem(meter, typed, Rejection.NOT_A_NUMBER))
                continue
            assessment = assess(meter, reading, decimals, ceilings)
            refused.extend(_refusals(assessment))
            if assessment.rejection is not None:
                problems.append(Problem(meter, typed, assessment.rejection))
                continue
            entries.pop(meter.meter_id, None)
            if meter.meter_id in skipped:
                skipped.remove(meter.meter_id)
            if assessment.verdict == Verdict.ACCEPTED:
                entries[meter.meter_id] = taken[meter.meter_id] = reading
            else:
                to_confirm.append(Confirmation(meter, reading, assessment))

        draft = replace(self, entries=entries, skipped=tuple(skipped), pending=None)
        asked_next = draft.current  # one value waits for «так» at a time: this one's
        waiting = next((c for c in to_confirm if c.meter == asked_next), None)
        for confirmation in to_confirm:
            if confirmation is not waiting:
                problems.append(
                    Problem(
                        confirmation.meter,
                        str(confirmation.reading),
                        Rejection.IMPLAUSIBLE,
                        confirmation.reading,
                    )
                )
        if waiting is not None:
            draft = replace(draft, pending=waiting.reading)
        return SeveralTaken(
            draft=draft,
            taken=taken,
            problems=tuple(problems),
            unplaced=tuple(several.unplaced),
            waiting=waiting,
            refused=tuple(refused),
        )

    def summary(self) -> List[SummaryLine]:
        """Every meter once, in order: its value and consumption, or skipped."""
        lines = []
        for meter in self.meters:
            value = self.entries.get(meter.meter_id)
            if self._skips(meter) or value is None:
                lines.append(SummaryLine(meter, None, None))
            else:
                lines.append(SummaryLine(meter, value, consumption(meter, value)))
        return lines

    def _skips(self, meter: MeterFacts) -> bool:
        return meter.meter_id in self.skipped


def _refusals(assessment: Assessment) -> Tuple[Rejection, ...]:
    """What a checked value adds to the refusal statistics: a broken rule, or an
    unusual consumption (counted even when the user then confirms it; a rollover
    is no refusal)."""
    if assessment.rejection is not None:
        return (assessment.rejection,)
    if assessment.verdict == Verdict.IMPLAUSIBLE:
        return (Rejection.IMPLAUSIBLE,)
    return ()


@dataclass(frozen=True)
class Entered:
    """One value typed at a prompt: refused (`assessment.rejection`), waiting for
    «так» (`confirmation`), or entered.

    Attributes:
        decimals: how many decimals were typed («12,50»: two).
        refused: refusals to count in the statistics.
    """

    draft: SubmissionDraft
    meter: MeterFacts
    reading: Decimal
    decimals: int
    assessment: Assessment
    refused: Tuple[Rejection, ...]

    @property
    def confirmation(self) -> Optional[Confirmation]:
        if self.assessment.rejection is None and self.assessment.verdict != Verdict.ACCEPTED:
            return Confirmation(self.meter, self.reading, self.assessment)
        return None


@dataclass(frozen=True)
class Confirmed:
    """The answer to «так?»: `meter` got the pending value, or (None) it is asked again."""

    draft: SubmissionDraft
    meter: Optional[MeterFacts]


@dataclass(frozen=True)
class Skipped:
    """The meter left out; `nothing_to_save` when it was the last one and none has a value."""

    draft: SubmissionDraft
    meter: MeterFacts
    nothing_to_save: bool


@dataclass(frozen=True)
class SeveralTaken:
    """What became of a message with several readings.

    Attributes:
        taken: meter id -> value entered, in the meters' order.
        problems: values not entered, with the reason.
        unplaced: numbers whose meter is in doubt (the form asks those meters).
        waiting: the one value that waits for «так» (its meter is asked next).
        refused: refusals to count in the statistics.
    """

    draft: SubmissionDraft
    taken: Mapping[int, Decimal]
    problems: Sequence[Problem]
    unplaced: Sequence[str]
    waiting: Optional[Confirmation]
    refused: Sequence[Rejection]
