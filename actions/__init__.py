"""Custom actions of the readings assistant, split by feature.

rasa-sdk imports every module here at start-up; none of them touches the
database at import time (see `core.db.engine`).
"""

from actions.failures import install as _install_failure_handling
from core.faults import redact_logs as _redact_logs

_install_failure_handling()
_redact_logs()
