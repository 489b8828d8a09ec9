"""The core everything else stands on: the database, the domain logic of
accounts, readings and billing files, settings, and the consumer-facing texts.

Nothing here imports Rasa, rasa-sdk, the channels or the staff tools
(checked by the import contracts in pyproject.toml).
"""
