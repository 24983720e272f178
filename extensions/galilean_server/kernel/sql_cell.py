"""The `%%galilean_sql` cell magic: run a SQL cell on a named connection and keep the
result as a pandas DataFrame in the kernel.

    %%galilean_sql <connection> <variable>
    SELECT * FROM orders WHERE region = {{ region }} AND id IN {{ ids }}

`{{ name }}` references are bind parameters (templates.py). On the `duckdb` connection
(built in: an in-memory DuckDB in this kernel) a query can read DataFrames of the kernel
by name, earlier SQL cells' results included. Errors show the database's message (with
its line, counted as the editor shows it), not a traceback. A cell never replaces an
object it did not make unless its line says `--overwrite` (sql_results.py).
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa
import sqlglot
from IPython.core.magic import Magics, cell_magic, magics_class
from sqlglot import exp

from galilean_services.connection_engines import engine_for
from galilean_services.connections import Connection, ConnectionStore, database_message
from galilean_services.errors import GalileanError, NotFound
from galilean_services.folders import user_home

from .secrets_api import vault_secret
from .sql_results import IDENTIFIER, ResultKeeper, SqlCellError, parse_line, shift_lines
from .templates import TemplateError, bind, statement

__all__ = ["SqlCellError", "SqlMagics", "SqlRunner"]

BUILTIN = "duckdb"


class SqlRunner:
    def __init__(self) -> None:
        self.duck = duckdb.connect()
        self._engines: dict[str, tuple[str, sa.Engine]] = {}

    def engine(self, connection: Connection) -> sa.Engine:
        fingerprint = connection.url.render_as_string(hide_password=False)
        cached = self._engines.get(connection.name)
        if cached is None or cached[0] != fingerprint:
            if cached is not None:
                cached[1].dispose()
            self._engines[connection.name] = (fingerprint, engine_for(connection))
        return self._engines[connection.name][1]

    def run(self, name: str, sql: str, namespace: dict[str, Any]) -> pd.DataFrame | None:
        if not sql.strip():
            raise SqlCellError("the SQL cell is empty")
        try:
            connection = self._connection(name)
            if connection is None:
                return self._run_duckdb(sql, namespace)
            return self._run_sqlalchemy(connection, sql, namespace)
        except (TemplateError, GalileanError) as exc:
            raise SqlCellError(str(exc)) from None

    @staticmethod
    def _connection(name: str) -> Connection | None:
        """The user's connection `name`; None for the built-in DuckDB (unless the user
        defined a connection of that name)."""
        try:
            return ConnectionStore(user_home(), secrets=vault_secret).for_use(name)
        except NotFound:
            if name == BUILTIN:
                return None
            raise

    def _run_sqlalchemy(
        self, connection: Connection, sql: str, namespace: dict[str, Any]
    ) -> pd.DataFrame | None:
        clause, values = statement(sql, namespace)
        engine = self.engine(connection)
        try:
            with engine.begin() as con:
                result = con.execute(clause, values)
                if not result.returns_rows:
                    print(f"{result.rowcount} row(s) affected")
                    return None
                return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        except ModuleNotFoundError as exc:
            raise SqlCellError(
                f"the driver for {connection.dialect} is not installed ({exc.name})"
            ) from None
        except sa.exc.SQLAlchemyError as exc:
            raise SqlCellError(database_message(exc, connection.url)) from None

    def _run_duckdb(self, sql: str, namespace: dict[str, Any]) -> pd.DataFrame | None:
        text, values, expanding = bind(sql, namespace)
        params: dict[str, Any] = {}

        def placeholder(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in expanding:
                names = [f"{key}_{i}" for i in range(len(values[key]))]
                params.update(zip(names, values[key], strict=True))
                return "(" + ", ".join(f"${n}" for n in names) + ")"
            params[key] = values[key]
            return f"${key}"

        query = re.sub(r"(?<!\\):(galilean_\d+)\b", placeholder, text).replace("\\:", ":")
        cursor = self.duck.cursor()
        try:
            for table in _tables(query):
                frame = namespace.get(table)
                if _is_frame(frame):
                    cursor.register(table, frame)
            relation = cursor.execute(query, params or None)
            if relation.description is None:
                return None
            return relation.df()
        except duckdb.Error as exc:
            raise SqlCellError(str(exc).strip()) from None
        finally:
            cursor.close()


def _is_frame(value: Any) -> bool:
    """pandas and polars DataFrames, Arrow tables: what DuckDB can read by name."""
    return isinstance(value, pd.DataFrame) or type(value).__module__.startswith(
        ("polars.", "pyarrow.")
    )


def _tables(query: str) -> set[str]:
    """Names the query reads as tables (DataFrames with these names are offered)."""
    try:
        trees = sqlglot.parse(query, read="duckdb")
    except sqlglot.errors.ParseError:
        return set()
    return {
        t.name
        for tree in trees
        if tree
        for t in tree.find_all(exp.Table)
        if IDENTIFIER.match(t.name)
    }


@magics_class
class SqlMagics(Magics):
    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.runner = SqlRunner()
        self.results = ResultKeeper()
        shell.events.register("pre_run_cell", self.results.pre_run_cell)

    @cell_magic("galilean_sql")  # type: ignore[arg-type]  # IPython's decorator is untyped
    def galilean_sql(self, line: str, cell: str) -> pd.DataFrame | None:
        magic = parse_line(line)
        assert self.shell is not None
        namespace = self.shell.user_ns
        self.results.check(magic, namespace)
        try:
            frame = self.runner.run(magic.connection, cell, namespace)
        except SqlCellError as exc:  # the query starts on the editor's line 2
            raise SqlCellError(shift_lines(str(exc))) from None
        if frame is not None:
            self.results.keep(magic, namespace, frame)
        return frame
