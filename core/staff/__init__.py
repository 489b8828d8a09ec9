"""Staff operations: each validates its input and writes its own audit entry,
so that the console and `teplo` only call them."""
