"""Staff operations: each validates its input, writes its own audit entry and never
commits (the caller owns the unit of work), so that the console and `teplo` only call them."""
