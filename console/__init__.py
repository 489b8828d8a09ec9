"""The staff web console: server-rendered Ukrainian pages over the same core code."""
