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
import time
from typing import Any, Dict, Optional

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from core import metrics
from core.faults import new_reference, where
from core.texts.failures import technical_failure_text

logger = logging.getLogger(__name__)


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
