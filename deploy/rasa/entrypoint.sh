#!/bin/sh
# The entry point of the teplo-rasa image. A Rasa replica checks its
# configuration section first (core/preflight.py: secrets, PostgreSQL, the
# model server) and refuses to start, listing every problem, rather than run
# half-configured; our own processes (python -m ...) check theirs themselves.
set -e
if [ "$1" = "rasa" ]; then
    python -m core.preflight --process rasa
fi
exec "$@"
