"""Custom Rasa components of the readings assistant (loaded by the Rasa server)."""

from nlu_components import action_response_validation

action_response_validation.install()
