"""Custom Rasa components of the readings assistant (loaded by the Rasa server)."""

from nlu_components import action_response_validation, log_privacy

action_response_validation.install()
log_privacy.install()
