"""Messages the assistant sends first: the outbox, reminders, notices, broadcasts."""
