"""Messenger channels for the Rasa server: Telegram and Viber.

Loaded by Rasa from `credentials.prod.yml` by module path. Everything here runs
inside the Rasa server process, except `channels.outbox_sender`, which
runs as its own process; the action server never imports any of it.
"""
