"""One harness for the throw-away servers the tests, bench/ and `make serve-cluster`
start: PostgreSQL, Redis, nginx, our own Rasa and action servers, the fake
messenger APIs. Each runs as its own process on a free loopback port with its
own data directory, and is stopped by whoever started it; nothing here touches
the host's own services.

Not product code (lint-imports keeps the product from importing it); it imports
nothing from `tests`.
"""
