"""The pull API for billing systems: readings since a cursor, JSON or CSV, per-client keys.

Its own small process (`make billing-api`, `python -m billing_api`), meant to
sit behind the same HTTPS reverse proxy as the bot. The logic is in
`billing_api.handlers` (framework-free, one unit of work per call); `app`
wires it to Sanic, which Rasa already ships.
"""
