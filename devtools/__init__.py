"""Developer tooling that is not product code: the test and benchmark harness."""
