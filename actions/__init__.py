"""Custom actions of the readings assistant, split by feature.

rasa-sdk imports every module here at start-up; none of them touches the
database at import time (see `core.db.engine`).
"""
