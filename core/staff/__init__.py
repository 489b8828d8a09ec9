"""Staff operations: validated, audited, never committed (the caller owns the unit of work)."""
