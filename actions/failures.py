"""One place where every action's failure is caught, and every action is timed.

rasa-sdk lets an exception escape to its HTTP handler, which answers 500 and
logs the whole request body (the tracker: names, addresses, readings); Rasa
then says nothing to the user. Here the action server's executor is wrapped
once, at import of the `actions` package: a failing action answers with an
apology carrying a short reference code, and the log gets the reference, the
exception's type and where it happened, never its message or arguments (a
database error's message carries the SQL parameters).
"""

from __future__ import annotations

import logging
import secrets
import time
import traceback
from pathlib import Path
from typing import Any, Dict, Optional

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from core import metrics
from core.texts.failures import technical_failure_text

logger = logging.getLogger(__name__)
PROJECT = Path(__file__).resolve().parent.parent


def where(error: BaseException) -> str:
    """The innermost frame in the project's own code, as "path:line in function"."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if f.filename.startswith(str(PROJECT)) and ".venv" not in f.filename]
    frame = (own or frames or [None])[-1]
    if frame is None:
        return "?"
    path = Path(frame.filename)
    shown = path.relative_to(PROJECT) if path.is_relative_to(PROJECT) else path.name
    return f"{shown}:{frame.lineno} in {frame.name}"


def new_reference() -> str:
    return secrets.token_hex(4).upper()


_original_run = ActionExecutor.run


async def _run_safely(
    self: ActionExecutor, action_call: Dict[str, Any]
) -> Optional[Dict[str, Any]]:
    name = action_call.get("next_action")
    # Only actions that exist become a label: a caller may name anything.
    known = isinstance(name, str) and name in self.actions
    started = time.perf_counter()
    try:
        return await _original_run(self, action_call)
    except (ActionExecutionRejection, ActionNotFoundException):
        raise  # rasa-sdk's own protocol: Rasa handles these
    except Exception as error:  # noqa: BLE001 - every failure gets the same treatment
        if known:
            metrics.ACTION_FAILURES.labels(name).inc()
        reference = new_reference()
        logger.error(
            "action %s failed: reference %s, %s at %s",
            action_call.get("next_action"),
            reference,
            type(error).__name__,
            where(error),
        )
        return {"events": [], "responses": [{"text": technical_failure_text(reference)}]}
    finally:
        if known:
            metrics.ACTION_SECONDS.labels(name).observe(time.perf_counter() - started)


def install() -> None:
    """Wraps rasa-sdk's executor (idempotent)."""
    if ActionExecutor.run is not _run_safely:
        ActionExecutor.run = _run_safely  # type: ignore[method-assign]
