"""`make run` opens the chat without a screenful of dependency warnings and log
lines before it (scripts/quiet_rasa.py): the known warnings are silenced, even
after Rasa turns every UserWarning back on; anything else still shows; the logs
go to a file and only warnings and errors reach the terminal."""

from __future__ import annotations

import logging
import warnings

import pytest
import rasa.utils.io
from rasa.utils.common import _filter_warnings

from scripts import quiet_rasa


def shown(category, module: str, message: str) -> bool:
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn_explicit(message, category, f"/{module}.py", 1, module=module, registry={})
    return bool(caught)


@pytest.fixture
def rasa_starting(monkeypatch, tmp_path):
    """Rasa's start-up steps as `rasa shell` runs them, without touching this process's
    terminal logging: Rasa's warning filters, then its console logging."""
    monkeypatch.setattr(rasa.utils.io, "configure_colored_logging", lambda level: None)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with warnings.catch_warnings():
        # A fresh process as Sanic leaves it (every warning shown once per place),
        # whatever filters earlier tests in this process installed.
        warnings.resetwarnings()
        warnings.simplefilter("default")
        yield tmp_path / "var" / "rasa.log"
    for added in set(root.handlers) - set(handlers):
        added.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_known_dependency_warnings_are_silenced_and_others_still_show(rasa_starting):
    quiet_rasa.silence_known_warnings()
    quiet_rasa.configure_logging(None)
    _filter_warnings(logging.INFO)  # Rasa: "once" for every UserWarning, in front
    rasa.utils.io.configure_colored_logging(logging.INFO)

    from pyparsing import PyparsingDeprecationWarning
    from sqlalchemy.exc import SADeprecationWarning

    for category, module, message in [
        (DeprecationWarning, "rasa.shared.utils.validation", "pkg_resources is deprecated as an API"),
        (DeprecationWarning, "pkg_resources", "Deprecated call to `pkg_resources.declare_namespace"),
        (DeprecationWarning, "tensorflow.lite.python.util", "jax.xla_computation is deprecated"),
        (PyparsingDeprecationWarning, "matplotlib.fontconfig_pattern", "'parseString' deprecated - use 'parse_string'"),
        (DeprecationWarning, "sanic_cors.extension", "distutils Version classes are deprecated."),
        (SADeprecationWarning, "rasa.core.tracker_store", "Calling URL() directly is deprecated"),
    ]:  # fmt: skip
        assert not shown(category, module, message), message
    assert shown(DeprecationWarning, "rasa.core.tracker_store", "something new is deprecated")
    assert shown(PyparsingDeprecationWarning, "actions.readings", "'parseString' deprecated")
    assert shown(RuntimeWarning, "matplotlib.fontconfig_pattern", "'x' deprecated - use 'y'")


def test_logs_go_to_the_file_and_only_warnings_to_the_terminal(rasa_starting):
    terminal_levels = []
    rasa.utils.io.configure_colored_logging = terminal_levels.append
    quiet_rasa.configure_logging(str(rasa_starting))
    rasa.utils.io.configure_colored_logging(logging.INFO)
    assert terminal_levels == [logging.WARNING]

    logging.getLogger("rasa.core.processor").info("Loading model models/current.tar.gz...")
    logging.getLogger("rasa.core.processor").error("the action server did not answer")
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = rasa_starting.read_text(encoding="utf-8")
    assert "INFO     rasa.core.processor - Loading model" in log
    assert "ERROR    rasa.core.processor - the action server did not answer" in log
