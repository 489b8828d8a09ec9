"""Checks action-server responses against Rasa's schema without re-checking the schema.

Rasa 3.6 validates every action server response with `jsonschema.validate`,
which first validates Rasa's own constant response schema against the JSON
Schema meta-schema, on every call. Profiling `make bench` showed that meta-schema
check taking three quarters of the Rasa server's CPU (py-spy, 2026-11-25). This
module keeps the same validation of each response, and the same error, but
checks the constant schema once per process.

It is imported from this package's `__init__`, because the package is what the
Rasa server imports when it loads our model (`rasa run`, `rasa shell`, `rasa test`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
