"""Properties of the submission draft, whatever the meters and whatever people
type in whatever order: every meter is entered, skipped or open, never two of
them; nothing breaking a rule is entered; one value at most waits for «так»,
the one asked next; a value among several is treated as if typed alone."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.readings.checks import MeterFacts, rejection_reason
from core.readings.draft import SubmissionDraft
from core.readings.parsing import ReadingFormatError, parse_reading
from core.readings.several import Several

CEILINGS = {"heat": Decimal("4"), "hot_water": Decimal("25")}


@st.composite
def meters(draw) -> tuple:
    count = draw(st.integers(1, 4))
    found = []
    for meter_id in range(1, count + 1):
        kind = draw(st.sampled_from(["heat", "hot_water"]))
        decimals = draw(st.integers(0, 3))
        units = draw(st.none() | st.integers(0, 10**6))
        previous = None if units is None else Decimal(units).scaleb(-decimals)
        found.append(
            MeterFacts(
                meter_id=meter_id,
                serial=f"5500{meter_id}",
                kind=kind,
                unit="Gcal" if kind == "heat" else "m3",
                decimals=decimals,
                location=draw(st.sampled_from(["", "кухня", "ванна"])),
                previous_value=previous,
                previous_period=None if previous is None else "2026-10",
            )
        )
    return tuple(found)


def typed(value: Decimal) -> str:
    """As people type it: every digit, a decimal comma."""
    return format(value, "f").replace(".", ",")


# What people type for a meter: near the previous value (lower, plausible, unusual),
# with more decimals than the dial shows, or no number at all.
typed_values = st.one_of(
    st.integers(0, 10**7).map(lambda n: typed(Decimal(n).scaleb(-3))),
    st.integers(0, 300).map(str),
    st.sampled_from(["abc", "-5", "12,3,4"]),
)


def typed_near(meter: MeterFacts):
    if meter.previous_value is None:
        return typed_values
    deltas = st.integers(-50_000, 80_000).map(lambda n: Decimal(n).scaleb(-3))
    near = deltas.map(lambda d: typed(max(meter.previous_value + d, Decimal(0))))
    return near | typed_values


@st.composite
def several_for(draw, draft: SubmissionDraft) -> Several:
    chosen = draw(st.lists(st.sampled_from(draft.meters), unique=True, max_size=len(draft.meters)))
    return Several({m.meter_id: draw(typed_near(m)) for m in chosen}, [])


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if exponent < 0 else 0


def assert_well_formed(draft: SubmissionDraft) -> None:
    ids = [m.meter_id for m in draft.meters]
    entered, skipped = set(draft.entries), list(draft.skipped)
    open_ids = {m.meter_id for m in draft.open_meters}
    # Every meter is exactly one of: entered, skipped, open.
    assert len(skipped) == len(set(skipped)) and not entered & set(skipped)
    assert entered | set(skipped) | open_ids == set(ids)
    assert len(entered) + len(skipped) + len(open_ids) == len(ids)
    # Nothing that breaks a rule is entered (saving checks the same again).
    by_id = {m.meter_id: m for m in draft.meters}
    for meter_id, value in draft.entries.items():
        assert rejection_reason(by_id[meter_id], value, _decimals(value), CEILINGS) is None
    # A value waits for «так» only for the meter asked next.
    if draft.pending is not None:
        assert draft.current is not None and draft.current.meter_id not in draft.entries
    assert [line.meter.meter_id for line in draft.summary()] == ids


@given(data=st.data(), meters=meters())
def test_any_sequence_of_answers_keeps_the_draft_well_formed(data, meters):
    draft = SubmissionDraft(meters=meters)
    for _ in range(data.draw(st.integers(1, 12))):
        step = data.draw(
            st.sampled_from(["enter", "several", "skip", "yes", "no", "reopen", "restart"])
        )
        if step in ("enter", "skip") and draft.current is None:
            continue
        if step == "enter":
            try:
                reading, decimals = parse_reading(data.draw(typed_near(draft.current)))
            except ReadingFormatError:
                draft = draft.unanswered()
                continue
            draft = draft.enter(reading, decimals, CEILINGS).draft
        elif step == "several":
            draft = draft.take_several(data.draw(several_for(draft)), CEILINGS).draft
        elif step == "skip":
            draft = draft.skip().draft
        elif step in ("yes", "no"):
            draft = draft.confirm(step == "yes").draft
        elif step == "reopen":
            draft = draft.reopen(data.draw(st.sampled_from(meters)))
        else:
            draft = draft.restart()
        assert_well_formed(draft)


@given(data=st.data(), meters=meters())
def test_at_most_one_value_of_several_waits_the_one_asked_next(data, meters):
    draft = SubmissionDraft(meters=meters)
    if data.draw(st.booleans()):  # some meters answered before
        draft = draft.take_several(data.draw(several_for(draft)), CEILINGS).draft
    given_values = data.draw(several_for(draft))
    taken = draft.take_several(given_values, CEILINGS)
    assert_well_formed(taken.draft)
    if taken.waiting is None:
        assert taken.draft.pending is None
    else:
        assert taken.draft.current == taken.waiting.meter
        assert taken.draft.pending == taken.waiting.reading
    # Each value given ends up entered, reported, or waiting: exactly one of them.
    reported = [p.meter.meter_id for p in taken.problems]
    waiting = [] if taken.waiting is None else [taken.waiting.meter.meter_id]
    outcome = list(taken.taken) + reported + waiting
    assert sorted(outcome) == sorted(given_values.values)


@given(data=st.data(), meters=meters())
def test_a_value_among_several_is_checked_as_if_typed_alone(data, meters):
    draft = SubmissionDraft(meters=meters)
    meter = draft.current
    typed = data.draw(typed_near(meter))
    together = draft.take_several(Several({meter.meter_id: typed}, []), CEILINGS)
    try:
        reading, decimals = parse_reading(typed)
    except ReadingFormatError:
        assert together.draft == draft.unanswered() and together.problems
        return
    alone = draft.enter(reading, decimals, CEILINGS)
    assert together.draft == alone.draft
    assert tuple(together.refused) == alone.refused
