"""Cases («звернення»): the consumer talks to a clerk in the same chat (issue 22)."""
