"""The Rasa server still refuses malformed action-server responses after the speed-up."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import nlu_components  # noqa: F401  (installs the cached validation)


def test_valid_response_passes_and_malformed_is_refused():
    action = RemoteAction("action_anything", None)
    ok = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(ok) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})
