"""The gated retrain run the console's «Навчання» page starts: a background
process whose state lives in the database (`TrainingRun`).

The process is `teplo retrain candidate` (train, evaluate, the gate's verdict
in results/candidate/verdict.json); labelled phrases go in through
`retrain.merge.merge_rows` before it starts, and promotion is
`retrain.pipeline.promote_checked` plus `retrain.reload.reload_promoted`, as
`teplo retrain promote` does. The process runs in its own session, so it goes
on when the console restarts; the console that starts next follows it again
(by its pid and log file) and records its end.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from core.db.engine import unit_of_work
from core.db.models import TrainingRun, TrainingStatus
from core.errors import StaffError
from core.repository import training as training_repo
from core.settings import env_str, environment, get_settings
from retrain import gate
from retrain.common import ROOT, Project

POLL_SECONDS = 0.5
TAIL_LINES = 15
_STEP = re.compile(r"^\d/\d ")


def command_of(project: Project, template: str = "") -> List[str]:
    """The background command: `template` (CONSOLE_TRAINING_COMMAND, `{project}` in it
    is the project folder), else `teplo retrain candidate` for the project."""
    if template:
        return [part.replace("{project}", str(project.root)) for part in shlex.split(template)]
    return [sys.executable, "-m", "staff", "retrain", "--project", str(project.root), "candidate"]


@dataclass(frozen=True)
class RunView:
    """A run as the page shows it."""

    run: TrainingRun
    verdict: Optional[gate.Verdict]
    merged: Dict

    @property
    def status(self) -> TrainingStatus:
        return TrainingStatus(self.run.status)


def view_of(run: Optional[TrainingRun]) -> Optional[RunView]:
    if run is None:
        return None
    verdict = gate.parse_verdict(run.verdict) if run.verdict else None
    return RunView(run, verdict, json.loads(run.merged) if run.merged else {})


def _running(pid: int, command: List[str]) -> bool:
    """Whether `pid` is still our training command (not a finished one, nor a pid reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    proc = Path(f"/proc/{pid}")
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except (OSError, IndexError):
        return True  # no /proc to ask: take the signal's word
    return state != "Z" and [part for part in cmdline if part] == command


def _tail(log: Path) -> Tuple[str, str]:
    """(the last step printed, the last lines) of a run's log."""
    try:
        lines = [
            line.rstrip()
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip()
        ]
    except OSError:
        return "", ""
    steps = [line for line in lines if _STEP.match(line)]
    return (steps[-1] if steps else "")[:300], "\n".join(lines[-TAIL_LINES:])


class TrainingRunner:
    """Starts the background command and follows it; one run at a time (the database says)."""

    def __init__(self, project: Project, command_template: str = "") -> None:
        self.project = project
        self.command = command_of(project, command_template)
        self._threads: List[threading.Thread] = []
        self._stopping = threading.Event()

    def start(self, run_id: int) -> None:
        """Runs the command for the run just created (the merge is done)."""
        log = self.project.root / "var" / "training" / f"run-{run_id}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.project.verdict.unlink(missing_ok=True)  # a verdict after this is the run's own
        env = {
            **environment(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env_str("PYTHONPATH")])),
        }
        with log.open("w", encoding="utf-8") as output:
            try:
                process = subprocess.Popen(
                    self.command,
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # goes on if the console stops
                )
            except OSError as error:
                output.write(f"Не вдалося запустити навчання: {error.strerror}\n")
                self._finish(run_id, log)
                return

        with unit_of_work() as session:
            run = training_repo.run_by_id(session, run_id)
            run.pid, run.log_path = process.pid, str(log)
        self._follow_in_background(run_id, log, lambda: process.poll() is not None)

    def resume(self) -> None:
        """At start-up: follows a run a previous console started, or records its end."""
        with unit_of_work() as session:
            run = training_repo.running_run(session)
            found = (run.id, run.pid, run.log_path) if run else None
        if found is None:
            return
        run_id, pid, log_path = found
        log = Path(log_path) if log_path else self.project.root / "var" / "training" / "none.log"
        if pid and _running(pid, self.command):
            self._follow_in_background(run_id, log, lambda: not _running(pid, self.command))
        else:
            self._finish(run_id, log)

    def _follow_in_background(self, run_id: int, log: Path, done) -> None:
        thread = threading.Thread(
            target=self._follow, args=(run_id, log, done), name=f"training-{run_id}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _follow(self, run_id: int, log: Path, done) -> None:
        seen = ("", "")
        while True:
            if self._stopping.is_set():
                return  # the console stops; the next one follows the run again
            finished = done()
            tail = _tail(log)
            if tail != seen and not finished:
                seen = tail
                with unit_of_work() as session:
                    run = training_repo.run_by_id(session, run_id)
                    run.progress, run.log_tail = tail
            if finished:
                break
            time.sleep(POLL_SECONDS)
        self._finish(run_id, log)

    def _finish(self, run_id: int, log: Path) -> None:
        """Ready with the gate's verdict if the run wrote one, failed otherwise."""
        progress, log_tail = _tail(log)
        try:
            verdict = self.project.verdict.read_text(encoding="utf-8")
            gate.load_verdict(self.project.verdict)  # a verdict staff can read, or none
        except (OSError, StaffError):
            verdict = ""
        with unit_of_work() as session:
            run = training_repo.run_by_id(session, run_id)
            if run.status != TrainingStatus.running.value:
                return
            run.status = (TrainingStatus.ready if verdict else TrainingStatus.failed).value
            run.progress, run.log_tail, run.verdict = progress, log_tail, verdict
            run.finished_at = get_settings().now()

    def stop(self) -> None:
        """The console stops: stop following (the run itself goes on)."""
        self._stopping.set()

    def wait(self, timeout: float) -> None:
        """Tests: until the followed runs end."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
