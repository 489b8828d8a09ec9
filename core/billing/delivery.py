"""The scheduled file drop: every reading not yet delivered, once, into billing's folder.

One run (`drop_readings`):

1. locks the feed counter (two runs started at once go one after the other);
2. finishes a file an earlier run committed but did not rename (a crash in
   between): the same rows under the same name, never a second copy;
3. gives new readings their feed positions and claims every entry in no
   file yet for the next sequence number; the file is written under a
   temporary name in the same folder and flushed to disk, then the claim
   commits;
4. renames the file and then its manifest into place (billing never sees
   half a file) and records the delivery.

A crash before the commit leaves the readings unclaimed (the next run takes
them); a crash after it leaves a claimed, unrenamed file (the next run
finishes it). Either way each reading ends up in exactly one file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, List, Optional

from sqlalchemy.orm import Session

from core.billing.csvfiles import OUTPUT_ENCODINGS, write_csv
from core.billing.feed import FEED_COLUMNS, FeedRow
from core.db.engine import unit_of_work
from core.db.models.billing import BillingFile
from core.errors import StaffError
from core.repository import billing as repo
from core.settings import get_settings

FILE_PREFIX = "readings-"
TEMPORARY_SUFFIX = ".tmp"


def file_name(sequence: int) -> str:
    return f"{FILE_PREFIX}{sequence:06d}.csv"


def manifest_name(name: str) -> str:
    return name[: -len(".csv")] + ".manifest.json"


def ack_name(name: str) -> str:
    return name + ".ack"


def _temporary(path: Path) -> Path:
    # Dot-prefixed: billing's pickers skip hidden files; same folder, so the rename is atomic.
    return path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")


@dataclass
class DropResult:
    """What one run did, for the command's report."""

    written: Optional[BillingFile] = None
    finished: List[BillingFile] = field(default_factory=list)
    acknowledged: List[BillingFile] = field(default_factory=list)


@dataclass
class _Tally:
    rows: int = 0
    corrections: int = 0
    periods: Counter = field(default_factory=Counter)

    def count(self, rows: Iterable[FeedRow]) -> Iterator[List[str]]:
        for row in rows:
            self.rows += 1
            self.corrections += row.is_correction
            self.periods[row.row.period] += 1
            yield row.cells()


def drop_folder(folder: Optional[Path]) -> Path:
    chosen = Path(folder or get_settings().billing_drop_dir)
    if not chosen.is_dir():
        raise StaffError(f"теки {chosen} не існує; створіть її або вкажіть іншу (--folder)")
    return chosen


def drop_readings(folder: Optional[Path] = None, encoding: Optional[str] = None) -> DropResult:
    """One scheduled run: finish an interrupted file, then write the next one if anything is new."""
    target = drop_folder(folder).resolve()
    encoding = encoding or get_settings().billing_encoding
    if encoding not in OUTPUT_ENCODINGS:
        raise StaffError(f"невідоме кодування {encoding}")
    result = DropResult(acknowledged=scan_acknowledgements())
    pending: List[BillingFile] = []
    with unit_of_work() as session:
        now = get_settings().now()
        counter = repo.lock_counter(session)
        assert counter is not None
        for unfinished in repo.undelivered_files(session):
            _prepare(session, unfinished)
            pending.append(unfinished)
        _remove_stale_temporaries(target, {_temporary(Path(f.folder) / f.name) for f in pending})
        repo.sequence_new_readings(session, counter, now)
        lowest, up_to = counter.last_filed_position + 1, counter.last_position
        if up_to >= lowest:
            counter.last_file_sequence += 1
            sequence = counter.last_file_sequence
            new = BillingFile(
                sequence=sequence,
                name=file_name(sequence),
                folder=str(target),
                encoding=encoding,
                rows=0,
                first_position=lowest,
                last_position=up_to,
                created_at=now,
            )
            session.add(new)
            counter.last_filed_position = up_to
            session.flush()
            _prepare(session, new)
            pending.append(new)
            result.written = new
    # Committed: the rows belong to these files whatever happens next.
    for prepared in pending:
        _publish(prepared)
        if prepared is not result.written:
            result.finished.append(prepared)
    with unit_of_work() as session:
        moment = get_settings().now()
        for prepared in pending:
            stored = session.get(BillingFile, prepared.id)
            stored.delivered_at = moment
            prepared.delivered_at = moment
    return result


def _prepare(session: Session, file: BillingFile, rewrite: bool = False) -> None:
    """Writes the file's rows and manifest under temporary names, flushed to disk.

    A temporary left by a crashed run is reused when its checksum matches
    what was committed; otherwise the rows are written again.
    """
    path = Path(file.folder) / file.name
    temporary = _temporary(path)
    if file.sha256 and not temporary.exists() and not rewrite:
        return  # renamed before the crash: only the manifest may still wait
    if file.sha256 and not rewrite and _sha256(temporary) == file.sha256:
        _write_manifest(session, file)
        return
    tally = _Tally()
    feed = repo.feed_rows(session, after=file.first_position - 1, up_to=file.last_position)
    rows = (FeedRow.of(entry) for entry in feed)
    with open(temporary, "wb") as stream:
        write_csv(stream, file.encoding, FEED_COLUMNS, tally.count(rows))
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, 0o644)
    file.rows, file.corrections = tally.rows, tally.corrections
    file.periods = ",".join(sorted(tally.periods))
    file.sha256 = _sha256(temporary)
    session.flush()
    _write_manifest(session, file)


def _write_manifest(session: Session, file: BillingFile) -> None:
    manifest = {
        "file": file.name,
        "sequence": file.sequence,
        "rows": file.rows,
        "corrections": file.corrections,
        "periods": [p for p in file.periods.split(",") if p],
        "sha256": file.sha256,
        "encoding": file.encoding,
        "columns": list(FEED_COLUMNS),
        "created_at": file.created_at.isoformat(timespec="seconds"),
    }
    temporary = _temporary(Path(file.folder) / manifest_name(file.name))
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(manifest, stream, ensure_ascii=False, indent=2)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, 0o644)


def _publish(file: BillingFile) -> None:
    """The data file first, then its manifest: a manifest always finds its file complete."""
    folder = Path(file.folder)
    for name in (file.name, manifest_name(file.name)):
        if _temporary(folder / name).exists():
            os.replace(_temporary(folder / name), folder / name)
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_stale_temporaries(folder: Path, keep: set) -> None:
    """Temporaries of a run that crashed before its commit: their rows were never claimed."""
    for stale in folder.glob(f".{FILE_PREFIX}*{TEMPORARY_SUFFIX}"):
        if stale not in keep:
            stale.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_acknowledgements() -> List[BillingFile]:
    """Records billing's acknowledgements: `<name>.ack` beside the file, or the file moved away."""
    acknowledged = []
    with unit_of_work() as session:
        now = get_settings().now()
        for file in repo.files(session, unacknowledged_only=True):
            if file.delivered_at is None:
                continue
            path = Path(file.folder) / file.name
            if Path(file.folder, ack_name(file.name)).exists():
                file.acknowledged_how = "ack"
            elif not path.exists():
                file.acknowledged_how = "moved"
            else:
                continue
            file.acknowledged_at = now
            acknowledged.append(file)
    return acknowledged


def reoffer(sequence: int) -> BillingFile:
    """Writes an unacknowledged file again (same name, same readings), on staff's request."""
    with unit_of_work() as session:
        file = repo.file_by_sequence(session, sequence)
        if file is None:
            raise StaffError(f"файлу з номером {sequence} немає")
        if file.acknowledged_at is not None:
            raise StaffError(
                f"файл {file.name} білінг уже підтвердив "
                f"{file.acknowledged_at:%d.%m.%Y %H:%M}; повторно не пропонується"
            )
        if file.delivered_at is None:
            raise StaffError(f"файл {file.name} ще не доставлено; запустіть teplo billing drop")
        if not Path(file.folder).is_dir():
            raise StaffError(f"теки {file.folder} не існує")
        repo.lock_counter(session)  # no drop run writes temporaries meanwhile
        _prepare(session, file, rewrite=True)
        _publish(file)
        file.reoffered_at = get_settings().now()
    return file
