"""Real processes for tests: the hub with its proxy, PostgreSQL, and an HTTP client that
behaves like a browser on the hub's forms."""
