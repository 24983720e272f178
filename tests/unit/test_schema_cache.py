"""The schema browser's cache (one per server, made by the extension app): a connection's
schemas are read once and kept until they are older than its seconds (a clock is
injected) or a refresh is asked for; SQLite's one schema is unnamed (its dialect says so)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from galilean_server.schema_browser import SchemaCache
from galilean_services.connections import Connection, url_from


def test_schemas_are_kept_until_old_or_refreshed(tmp_path: Path) -> None:
    database = tmp_path / "shop.db"
    with sqlite3.connect(database) as con:
        con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL NOT NULL)")
    connection = Connection("shop", url_from({"dialect": "sqlite", "database": str(database)}))
    now = [1000.0]
    cache = SchemaCache(seconds=60, clock=lambda: now[0])

    first = cache.get("owner", connection)
    assert [s["name"] for s in first["schemas"]] == [""]
    orders = first["schemas"][0]["tables"][0]
    assert orders["name"] == "orders"
    assert [(c["name"], c["nullable"]) for c in orders["columns"]] == [
        ("id", True),
        ("amount", False),
    ]
    with sqlite3.connect(database) as con:
        con.execute("CREATE VIEW big AS SELECT * FROM orders WHERE amount > 100")
    now[0] += 59
    assert cache.get("owner", connection) is first
    assert len(cache.get("other owner", connection)["schemas"][0]["tables"]) == 2
    assert len(cache.get("owner", connection, refresh=True)["schemas"][0]["tables"]) == 2
    now[0] += 61
    assert cache.get("owner", connection) is not first
