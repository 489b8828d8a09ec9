"""The one error type that reaches staff as a plain sentence instead of a traceback."""


class StaffError(Exception):
    """A failure to report to staff in plain Ukrainian words.

    Raised by core functions that staff drive (billing files, tariffs, the
    retraining loop) and by staff commands; the command line prints the
    message and exits with `EXIT_FAILED`.
    """
