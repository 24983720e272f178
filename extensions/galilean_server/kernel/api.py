"""Named connections and SQL from Python, in a notebook:

    from galilean_server.kernel.api import connections, sql
    connections.save("warehouse", dialect="postgresql", host="db", database="dw",
                     user="me", password=getpass())
    connections.test("warehouse")          # 'connected (postgresql 17.2)'
    frame = sql("SELECT * FROM orders WHERE id = {{ order_id }}", "warehouse")

Passwords are kept in the user's connections file (0600), never echoed: a saved
connection shows as its URL with the password hidden.
"""

from __future__ import annotations

import inspect
from typing import Any

import pandas as pd

from galilean_services.connection_engines import check
from galilean_services.connections import ConnectionStore
from galilean_services.folders import user_home

from .datasets_api import Datasets, DatasetsError, datasets
from .experiments_api import ExperimentError, ExperimentRun, Experiments, experiments
from .secrets_api import Secrets, SecretsError, secrets, vault_secret
from .sql_cell import SqlCellError, SqlRunner

__all__ = [
    "Datasets",
    "DatasetsError",
    "ExperimentError",
    "ExperimentRun",
    "Experiments",
    "Secrets",
    "SecretsError",
    "connections",
    "datasets",
    "experiments",
    "secrets",
    "sql",
]

_runner: SqlRunner | None = None


class Connections:
    @property
    def _store(self) -> ConnectionStore:
        return ConnectionStore(user_home(), secrets=vault_secret)

    def list(self) -> list[dict[str, Any]]:
        return [c.public() for c in self._store.all()]

    def save(self, name: str, url: str | None = None, **fields: Any) -> dict[str, Any]:
        body = {"url": url} if url else fields
        return self._store.save(name, body).public()

    def test(self, name: str) -> str:
        ok, message = check(self._store.for_use(name))
        if not ok:
            raise SqlCellError(message)
        return message

    def delete(self, name: str) -> None:
        self._store.delete(name)

    def __repr__(self) -> str:
        names = ", ".join(c["name"] for c in self.list()) or "none yet"
        return f"<Galilean connections: {names}>"


connections = Connections()


def sql(query: str, connection: str = "duckdb", **values: Any) -> pd.DataFrame | None:
    """Run `query` on a named connection; `{{ name }}` takes `values`, else the caller's
    variables (as in a SQL cell), always as bound values."""
    global _runner
    if _runner is None:
        _runner = SqlRunner()
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    namespace = {**(caller.f_globals if caller else {}), **(caller.f_locals if caller else {})}
    return _runner.run(connection, query, {**namespace, **values})
