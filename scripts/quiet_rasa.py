"""`rasa` for a person at a terminal (`make run`): the same command, without the
deprecation warnings of Rasa's dependencies that nobody running the bot can act
on, and, with RASA_LOG_FILE set, with the logs in that file and only warnings
and errors on the terminal.

Run as `python -m scripts.quiet_rasa shell ...` (scripts/run-stack). The
warnings are silenced one by one, by category, the module they are attributed
to and their text; anything else still shows. They cannot be silenced with
PYTHONWARNINGS: Sanic 21.12 turns every DeprecationWarning back on ("once") when
it is imported, in front of the filters given at start-up, so the filters here
go in after that import.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import Optional, Tuple

from core.settings import env_str

# (category, module the warning is attributed to, start of its message)
KNOWN_WARNINGS: Tuple[Tuple[type, Optional[str], str], ...] = (
    # setuptools' pkg_resources, imported by Rasa and APScheduler
    (DeprecationWarning, None, "pkg_resources is deprecated as an API"),
    (
        DeprecationWarning,
        r"pkg_resources\b",
        r"Deprecated call to `pkg_resources\.declare_namespace",
    ),
    # TensorFlow 2.12 importing JAX's old API
    (DeprecationWarning, r"tensorflow\.lite\.", r"jax\.xla_computation is deprecated"),
    # matplotlib (imported by Rasa) calling pyparsing's camelCase names
    (DeprecationWarning, r"matplotlib\.", r"'\w+' deprecated - use"),
    # Sanic-Cors comparing versions with distutils
    (DeprecationWarning, r"sanic_cors\.", "distutils Version classes are deprecated"),
    # Rasa's SQL tracker store building its URL the SQLAlchemy 1.3 way
    (DeprecationWarning, r"rasa\.core\.tracker_store", r"Calling URL\(\) directly is deprecated"),
)
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s - %(message)s"


def silence_known_warnings() -> None:
    import sanic.app  # noqa: F401 - its import adds the "once" filter these must precede

    for category, module, message in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category, module=module or "")


def configure_logging(log_file: Optional[str]) -> None:
    """Hooks into the step where Rasa sets up its console logging, which comes
    after Rasa's own warning filters ("once" for every UserWarning, pyparsing's
    deprecations among them): the known warnings are silenced once more, in
    front of those. With `log_file`, logging is split: warnings and errors on the
    terminal, everything from INFO up in the file (Rasa's own --log-file catches
    only one of its loggers)."""
    import rasa.utils.io

    rasa_console_logging = rasa.utils.io.configure_colored_logging

    def configure(loglevel) -> None:
        silence_known_warnings()
        if not log_file:
            rasa_console_logging(loglevel)
            return
        rasa_console_logging(logging.WARNING)
        os.makedirs(os.path.dirname(log_file) or ".", exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.setLevel(logging.INFO)
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(min(root.level, logging.INFO))

    rasa.utils.io.configure_colored_logging = configure


def main() -> None:
    silence_known_warnings()
    configure_logging(env_str("RASA_LOG_FILE") or None)
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
