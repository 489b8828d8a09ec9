"""Messenger channels for the Rasa server: Telegram and Viber.

Loaded by Rasa from `credentials.prod.yml` by module path. Everything here runs
inside the Rasa server process; the action server never imports it.
"""
