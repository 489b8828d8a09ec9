"""How a failure is logged without what it was about.

An exception's message and arguments carry whatever the failing code held: a
database error's message carries the SQL parameters (user text, tracker
events, readings), an HTTP error the URL. Logs get a short reference (the one
the user is shown, if any), the exception's type and the innermost place in
the project's code — never `str(error)`, never a traceback (`logger.exception`).
"""

from __future__ import annotations

import logging
import secrets
import traceback
from pathlib import Path

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


def log_failure(
    logger: logging.Logger, what: str, error: BaseException, *, level: int = logging.ERROR
) -> str:
    """Logs "<what> failed: reference R, Type at file:line" and returns R.

    `what` must be a fixed description (a channel name, a message id), never
    user text.
    """
    reference = new_reference()
    logger.log(
        level,
        "%s failed: reference %s, %s at %s",
        what,
        reference,
        type(error).__name__,
        where(error),
    )
    return reference


# Where SQLAlchemy's error text starts quoting the statement and its parameters.
_SQL_MARKERS = ("\n[SQL:", "[SQL:", "\n[parameters:", "[parameters:")
_installed = False


def _cut_sql(text: str) -> str:
    cuts = [text.index(marker) for marker in _SQL_MARKERS if marker in text]
    return text[: min(cuts)] + " [SQL and parameters withheld]" if cuts else text


def _redacted(record: logging.LogRecord) -> logging.LogRecord:
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        summary = f" ({type(error).__name__} at {where(error)}; traceback withheld)"
        record.msg = str(record.msg) + summary.replace("%", "%%")
        record.exc_info = None
        record.exc_text = None
    record.stack_info = None
    text = str(record.msg)
    if record.args:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            return record
    if any(marker in text for marker in _SQL_MARKERS):
        record.msg, record.args = _cut_sql(text), ()
    return record


def redact_logs() -> None:
    """Makes every log record of this process safe, whoever logs it (Rasa's
    tracker store, Sanic's error handler, a library's `logger.exception`):
    tracebacks become the exception's type and place, and SQLAlchemy's
    "[SQL: …] [parameters: …]" is cut off. Idempotent.

    A record factory rather than a handler filter: Rasa and Sanic install
    their own handlers at start-up, and a factory sees every record first.
    """
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        return _redacted(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
