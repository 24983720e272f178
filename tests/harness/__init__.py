"""Real processes for tests: the hub with its proxy, PostgreSQL, MariaDB, a Docker engine,
and an HTTP client that behaves like a browser on the hub's forms. Ports and waits:
processes.py (port 0 in-process; start_on_free_ports for servers that cannot take it)."""
