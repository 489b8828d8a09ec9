"""The console's «Навчання» as operations: labelling misunderstood phrases, starting
a training run, recording what the merge added, and the admin's promote-or-keep.
The files and processes (merging into data/nlu/, training, reloading) are the
caller's (`retrain/`); here only the database side, each change audited."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from core.db.models import TrainingStatus
from core.repository import audit as audit_repo
from core.repository import training as training_repo

TARGET = "модель асистента"
DISCARDED = "відкинуто"


def label_phrases(
    session: Session,
    actor: str,
    now: datetime,
    chosen: Mapping[str, Tuple[str, Optional[str]]],
) -> int:
    """Labels phrases {key: (phrase, intent or None to discard)}; returns how many changed."""
    before = training_repo.labels_by_key(session, chosen)
    changed_before, changed_after = {}, {}
    for key, (phrase, intent) in chosen.items():
        if training_repo.set_label(session, key, phrase, intent, actor, now):
            old = before.get(key)
            changed_before[phrase] = (old.intent or DISCARDED) if old else None
            changed_after[phrase] = intent or DISCARDED
    if changed_after:
        audit_repo.record_audit(
            session,
            actor,
            "label_phrases",
            f"{len(changed_after)} фраз",
            changed_before,
            changed_after,
            now,
        )
    return len(changed_after)


def begin_run(
    session: Session, actor: str, now: datetime
) -> Optional[Tuple[int, List[Tuple[int, str, str]]]]:
    """A new run and the labels waiting for it [(id, phrase, intent)]; None while a run
    is going or a new model waits for the admin's decision."""
    latest = training_repo.latest_run(session)
    if latest is not None and latest.status == TrainingStatus.ready.value:
        return None
    run = training_repo.start_run(session, actor, now)
    if run is None:
        return None
    return run.id, [(p.id, p.phrase, p.intent) for p in training_repo.pending_labels(session)]


def record_merge(
    session: Session,
    actor: str,
    now: datetime,
    run_id: int,
    label_ids: Sequence[int],
    added: int,
    skipped: Sequence[Tuple[str, str]],
) -> None:
    """What the merge added to the training data; the labels now belong to the run."""
    run = training_repo.run_by_id(session, run_id)
    run.merged = json.dumps(
        {"added": added, "skipped": [{"phrase": p, "why": why} for p, why in skipped]},
        ensure_ascii=False,
    )
    by_id = {label.id: label for label in training_repo.pending_labels(session)}
    for label_id in label_ids:
        if label_id in by_id:
            by_id[label_id].run_id = run_id
    audit_repo.record_audit(
        session,
        actor,
        "train",
        TARGET,
        None,
        {"run": run_id, "added": added, "skipped": len(skipped)},
        now,
    )


def fail_run(session: Session, now: datetime, run_id: int, why: str) -> None:
    run = training_repo.run_by_id(session, run_id)
    run.status, run.log_tail, run.finished_at = TrainingStatus.failed.value, why, now


def ready_run(session: Session, raw_id: str) -> Optional[int]:
    """The run whose model waits for a decision, if it is the one the form names."""
    run = training_repo.latest_run(session)
    ready = run is not None and run.status == TrainingStatus.ready.value
    return run.id if ready and str(run.id) == raw_id else None


def decide_run(
    session: Session, actor: str, now: datetime, run_id: int, status: TrainingStatus, after: Dict
) -> None:
    """The admin's decision: the new model promoted or the old one kept."""
    run = training_repo.run_by_id(session, run_id)
    before = {"run": run_id, "status": run.status}
    run.status, run.decided_by, run.decided_at = status.value, actor, now
    audit_repo.record_audit(session, actor, f"{status.value}_model", TARGET, before, after, now)
