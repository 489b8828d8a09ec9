"""One log format for every process of ours (and Rasa's, deploy/rasa/logging.yml).

Plain text lines by default; `LOG_FORMAT=json` gives one JSON object a line
(`ts`, `level`, `process`, `logger`, `message`, `exc` when there is one) for a
log shipper. No personal data goes into messages in the first place: loggers
name accounts and chats by their internal ids only.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Optional


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "process": self.process,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self, process: str) -> None:
        super().__init__("%(asctime)s %(levelname)s " + process + " %(name)s %(message)s")


def formatter(process: str, log_format: Optional[str] = None) -> logging.Formatter:
    """The formatter `LOG_FORMAT` asks for (`text` or `json`)."""
    if log_format is None:
        from core.settings import get_settings

        log_format = get_settings().logging.format
    return JsonFormatter(process) if log_format == "json" else TextFormatter(process)


class _OurHandler(logging.StreamHandler):
    """Marks the handler `configure` added, so a second call replaces only it."""


def configure(process: str, level: int = logging.INFO) -> None:
    """Sets up the root logger of a process of ours (its `main()` calls this first)."""
    handler = _OurHandler()
    handler.setFormatter(formatter(process))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
