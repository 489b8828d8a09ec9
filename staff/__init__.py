"""The staff command line `teplo` (or `python -m staff`): billing, settings, statistics,
retraining, messenger webhooks.

Run `teplo --help`. Each command lives in its own module under `staff/commands/`;
`staff.cli` lists them (`COMMANDS`) and imports a command's module only when it runs.
"""
