"""A month in production, rehearsed on loopback (`make rehearsal`, docs/deploy.md)."""
