"""The Prometheus metrics of every process, defined once (docs/monitoring.md).

`prometheus_client` is a plain library (no web server), so the metric objects
live in the core beside the events they count; each process serves them on
`/metrics` through its own web framework with `exposition()`. Every process is
a single Python process with its own registry: scrape each one (each Rasa
replica, each action server) separately.

Events that happen inside a unit of work (a reading saved, a lookup refused)
are counted when the transaction commits (`count_on_commit`): a save that is
rolled back and run again counts once.
"""

from __future__ import annotations

from typing import Tuple

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from prometheus_client.metrics import MetricWrapperBase
from sqlalchemy import event
from sqlalchemy.orm import Session

# A turn is one user message through Rasa: 70 ms alone, 1-2 s under load, 60 s at most.
TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
ACTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Rasa replicas (channels/monitoring.py): every message Rasa handles.
TURNS = Counter("teplo_turns", "User messages handled by Rasa", ["channel"])
TURN_SECONDS = Histogram(
    "teplo_turn_seconds",
    "Time Rasa took for one user message (lock, understanding, actions, replies)",
    ["channel"],
    buckets=TURN_BUCKETS,
)
# Channels (channels/storage.py): messenger re-deliveries acknowledged without processing.
MESSAGES_DEDUPLICATED = Counter(
    "teplo_messages_deduplicated",
    "Messenger updates already handled (re-deliveries), acknowledged and not processed again",
    ["channel"],
)
# Action server (actions/failures.py): every call of a custom action.
ACTION_SECONDS = Histogram(
    "teplo_action_seconds", "Time one custom action took", ["action"], buckets=ACTION_BUCKETS
)
ACTION_FAILURES = Counter(
    "teplo_action_failures",
    "Custom actions that raised and were answered with an apology and a reference code",
    ["action"],
)
# Core, wherever it runs (the action server): what the assistant did.
READINGS_SAVED = Counter(
    "teplo_readings_saved", "Meter readings stored by the assistant", ["channel"]
)
LOOKUPS_REFUSED = Counter(
    "teplo_lookups_refused",
    "Account lookups refused because a limit was reached (user: the user's hourly or daily "
    "limit; distinct: the user's weekly cap on distinct accounts)",
    ["limit"],
)
LOOKUP_CEILING_ALERTS = Counter(
    "teplo_lookup_ceiling_alerts",
    "Times a channel's account lookups within an hour reached the alert ceiling "
    "(nobody is refused for it)",
    ["channel"],
)
PROOF_ALERTS = Counter(
    "teplo_proof_alerts",
    "Staff flags raised about ownership proofs (watch: many wrong answers for one account "
    "within 30 days; lock: digits no longer taken; after_failures: a right answer after "
    "wrong ones)",
    ["kind"],
)
# Cases («звернення», core/handoff, core/staff/cases.py): opened in the channels of a
# Rasa replica; answered and closed in the console. Minutes to days.
CASE_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800)
CASES_OPENED = Counter(
    "teplo_cases_opened",
    "Cases a consumer opened with «Написати працівнику» (reason: why it was offered)",
    ["channel", "reason"],
)
CASE_FIRST_REPLY_SECONDS = Histogram(
    "teplo_case_first_reply_seconds",
    "From a case's opening to a clerk's first answer",
    buckets=CASE_BUCKETS,
)
CASE_CLOSE_SECONDS = Histogram(
    "teplo_case_close_seconds",
    "From a case's opening to its closing (by a clerk or the consumer)",
    buckets=CASE_BUCKETS,
)

_PENDING = "teplo_metrics_pending"


def count_on_commit(session: Session, counter: MetricWrapperBase, amount: float = 1) -> None:
    """Adds `amount` to `counter` (a labelled child) once `session`'s transaction commits;
    a histogram observes `amount` instead."""
    session.info.setdefault(_PENDING, []).append((counter, amount))


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    for metric, amount in session.info.pop(_PENDING, ()):
        if isinstance(metric, Histogram):
            metric.observe(amount)
        else:
            metric.inc(amount)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def exposition() -> Tuple[bytes, str]:
    """The body and content type of `/metrics` for this process."""
    return generate_latest(), CONTENT_TYPE_LATEST
