"""The outbox's queries: `queue` (the messages and their delivery) and `audience` (who they go to)."""
