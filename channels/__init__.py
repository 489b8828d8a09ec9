"""Messenger channels for the Rasa server: Telegram and Viber.

Loaded by Rasa from `credentials.prod.yml` by module path. Everything here runs
inside the Rasa server process, except `channels.outbox_sender`, which
runs as its own process; the action server never imports any of it.
"""

import sys

from core.faults import redact_logs as _redact_logs


def _hide_tracker_store_parameters() -> None:
    """Rasa's SQL tracker store builds its own engine; it gets `hide_parameters`
    like ours, so a failed write does not quote the tracker's events. Only in
    the Rasa server (the outbox sender never loads Rasa)."""
    if "rasa" not in sys.modules:
        return
    from rasa.core import tracker_store

    original = tracker_store.create_engine_kwargs
    if getattr(original, "hides_parameters", False):
        return

    def create_engine_kwargs(url):  # type: ignore[no-untyped-def]
        return {**original(url), "hide_parameters": True}

    create_engine_kwargs.hides_parameters = True  # type: ignore[attr-defined]
    tracker_store.create_engine_kwargs = create_engine_kwargs


_redact_logs()
_hide_tracker_store_parameters()
