"""SQL cells in a real kernel: named connections on real PostgreSQL, MariaDB, SQLite and
DuckDB, bind parameters (an injection attempt stays a literal), DataFrame SQL, errors."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from kernel_client import Kernel

from galilean_services.connections import ConnectionStore
from harness.mariadb import MariaDB
from harness.postgres import Postgres

PEOPLE = pd.DataFrame(
    {"id": [1, 2, 3, 4], "name": ["Ann", "Bo", "O'Neil", "Cy"], "score": [9, 4, 7, 1]}
)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Any]]:
    postgres = Postgres().start()
    mariadb = MariaDB().start()
    try:
        for url in (postgres.url(), mariadb.url()):
            engine = sa.create_engine(url)
            PEOPLE.to_sql("people", engine, if_exists="replace", index=False)
            engine.dispose()
        yield {"postgres": postgres, "mariadb": mariadb}
    finally:
        mariadb.stop()
        postgres.stop()


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory, servers: dict[str, Any]) -> Iterator[Kernel]:
    home = tmp_path_factory.mktemp("sql-home")
    store = ConnectionStore(home, environ={})
    store.save("pg", {"url": servers["postgres"].url()})
    store.save("maria", {"url": servers["mariadb"].url()})
    with sqlite3.connect(home / "local.db") as db:
        PEOPLE.to_sql("people", db, index=False)
    store.save("lite", {"dialect": "sqlite", "database": str(home / "local.db")})
    duck = sa.create_engine(f"duckdb:///{home / 'local.duckdb'}")
    PEOPLE.to_sql("people", duck, index=False)
    duck.dispose()
    store.save("duckfile", {"dialect": "duckdb", "database": str(home / "local.duckdb")})
    running = Kernel(home)
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("connection", ["pg", "maria", "lite", "duckfile"])
def test_sql_cell_result_is_a_named_dataframe(kernel: Kernel, connection: str) -> None:
    kernel.run("least = 5\nnames = ['Bo', \"O'Neil\"]")
    cell = (
        f"%%galilean_sql {connection} people_{connection}\n"
        "SELECT id, name FROM people\n"
        "WHERE score >= {{ least }} OR name IN {{ names }}\nORDER BY id"
    )
    assert kernel.run(cell)["error"] is None
    rows = kernel.value(f"people_{connection}.to_dict('records')")
    assert rows == [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}, {"id": 3, "name": "O'Neil"}]
    assert kernel.value(f"type(people_{connection}).__name__") == "DataFrame"


@pytest.mark.parametrize("connection", ["pg", "maria", "lite", "duckdb"])
def test_an_injection_attempt_stays_a_literal(kernel: Kernel, connection: str) -> None:
    kernel.run("who = \"x' OR '1'='1\"")
    source = "people" if connection != "duckdb" else "people_pg"
    kernel.run(
        f"%%galilean_sql {connection} found\nSELECT * FROM {source} WHERE name = {{{{ who }}}}"
    )
    assert kernel.value("len(found)") == 0


def test_dataframe_sql_on_duckdb(kernel: Kernel) -> None:
    kernel.run("import pandas as pd\nextra = pd.DataFrame({'id': [1, 3], 'team': ['red', 'blue']})")
    assert kernel.run("%%galilean_sql pg base\nSELECT id, name, score FROM people")["error"] is None
    cell = (
        "%%galilean_sql duckdb joined\n"
        "SELECT b.name, e.team FROM base b JOIN extra e USING (id)\n"
        "WHERE b.score > {{ least }} ORDER BY b.name"
    )
    kernel.run("least = 0")
    reply = kernel.run(cell)
    assert reply["error"] is None, reply["error"]
    assert kernel.value("joined.values.tolist()") == [["Ann", "red"], ["O'Neil", "blue"]]
    kernel.run("ids = (1, 2)")
    kernel.run(
        "%%galilean_sql duckdb picked\nSELECT id FROM base WHERE id IN {{ ids }} ORDER BY id"
    )
    assert kernel.value("picked.id.tolist()") == [1, 2]
    kernel.run("%%galilean_sql\nSELECT 42 AS answer, '12:30'::TIME AS t")
    assert kernel.value("df.answer.tolist()") == [42]


def error_text(reply: dict[str, Any]) -> str:
    assert reply["error"] is not None
    return "\n".join(reply["error"]["traceback"])


def test_errors_are_the_databases_message_not_a_traceback(kernel: Kernel) -> None:
    cell = "%%galilean_sql pg bad\nSELECT *\nFROM people\nWHERE id = = 1\nORDER BY id"
    syntax = error_text(kernel.run(cell))
    assert "syntax error" in syntax
    assert "LINE 4" in syntax  # the magic line is line 1 in the editor
    assert "Traceback" not in syntax
    assert "site-packages" not in syntax
    missing = error_text(kernel.run("%%galilean_sql nowhere x\nSELECT 1"))
    assert "no connection named 'nowhere'" in missing
    kernel.run("import pandas as pd\nextra = pd.DataFrame({'id': [1]})")
    frame = error_text(kernel.run("%%galilean_sql pg x\nSELECT {{ extra }}"))
    assert "{{ extra }} is a DataFrame" in frame
    unknown = error_text(kernel.run("%%galilean_sql pg x\nSELECT {{ nothing_here }}"))
    assert "no variable 'nothing_here'" in unknown
    # None of it broke the kernel; an empty result is a DataFrame with no rows.
    kernel.run("%%galilean_sql pg empty\nSELECT * FROM people WHERE id < 0")
    assert kernel.value("[list(empty.columns), len(empty)]") == [["id", "name", "score"], 0]


def test_wrong_password_names_no_secret(kernel: Kernel, servers: dict[str, Any]) -> None:
    home = Path(kernel.value("__import__('os').environ['GALILEAN_USER_HOME']"))
    postgres = servers["postgres"]
    ConnectionStore(home, environ={}).save(
        "badpw", {"url": postgres.url().replace(postgres.password, "wrong-secret-789")}
    )
    text = error_text(kernel.run("%%galilean_sql badpw x\nSELECT 1"))
    assert "password authentication failed" in text
    assert "wrong-secret-789" not in text


def test_connections_and_sql_from_python(kernel: Kernel, servers: dict[str, Any]) -> None:
    maria = servers["mariadb"]
    code = (
        "from galilean_server.kernel.api import connections, sql\n"  # noqa: S608
        f"saved = connections.save('py_maria', dialect='mariadb', host='127.0.0.1', "
        f"port={maria.port}, database='{maria.database}', user='{maria.user}', "
        f"password='{maria.password}')\n"
        "tested = connections.test('py_maria')\n"
        "query = 'SELECT name FROM people WHERE score > {{ s }} ORDER BY id'\n"
        "frame = sql(query, 'py_maria', s=5)\n"
    )
    reply = kernel.run(code)
    assert reply["error"] is None, reply["error"]
    assert kernel.value("frame.name.tolist()") == ["Ann", "O'Neil"]
    assert kernel.value("tested").startswith("connected (mysql")
    assert maria.password not in json.dumps(kernel.value("saved"))
    assert maria.password not in kernel.run("connections")["result"]["text/plain"]
    assert "py_maria" in kernel.value("[c['name'] for c in connections.list()]")
    kernel.run("connections.delete('py_maria')")
    assert "py_maria" not in kernel.value("[c['name'] for c in connections.list()]")


def test_a_million_row_result_is_a_table_and_the_kernel_stays_usable(kernel: Kernel) -> None:
    reply = kernel.run(
        "%%galilean_sql duckdb million\nSELECT i, i % 3 AS g FROM range(1000000) t(i)"
    )
    assert reply["error"] is None, reply["error"]
    table = reply["result"]["application/vnd.galilean.table+json"]
    assert table["total"] == 1_000_000
    assert len(table["rows"]) == 50
    assert kernel.value("len(million)") == 1_000_000
    assert kernel.value("1 + 1") == 2


def run_in_cell(kernel: Kernel, cell_id: str, code: str, timeout: float = 60) -> dict[str, Any]:
    """Run `code` as JupyterLab runs a notebook cell: with the cell's id in the request's
    metadata (ipykernel passes it to IPython's `pre_run_cell` as `info.cell_id`)."""
    client = kernel.client
    content = {
        "code": code,
        "silent": False,
        "store_history": True,
        "user_expressions": {},
        "allow_stdin": False,
        "stop_on_error": True,
    }
    message = client.session.msg("execute_request", content, metadata={"cellId": cell_id})
    client.shell_channel.send(message)
    out: dict[str, Any] = {"stdout": "", "error": None, "result": None}
    while True:
        reply = client.get_iopub_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") != message["header"]["msg_id"]:
            continue
        kind, body = reply["msg_type"], reply["content"]
        if kind == "stream" and body["name"] == "stdout":
            out["stdout"] += body["text"]
        elif kind == "error":
            out["error"] = body
        elif kind == "execute_result":
            out["result"] = body["data"]
        elif kind == "status" and body["execution_state"] == "idle":
            client.get_shell_msg(timeout=timeout)  # the execute_reply
            return out


def test_a_sql_cell_never_replaces_data_it_did_not_make(kernel: Kernel) -> None:
    made = run_in_cell(
        kernel, "py-1", "import pandas as pd\nbig = pd.DataFrame({'i': range(100_000)})"
    )
    assert made["error"] is None
    # A new SQL cell naming the user's DataFrame is refused before it runs; `big` stays.
    refused = run_in_cell(kernel, "sql-a", "%%galilean_sql duckdb big\nSELECT 1 AS one")
    text = error_text(refused)
    assert "`big` already exists" in text
    assert "a DataFrame with 100,000 rows and 1 column" in text
    assert "%%galilean_sql duckdb big --overwrite" in text
    assert "Traceback" not in text
    assert kernel.value("len(big)") == 100_000
    # The same cell under another name runs; rerun, it replaces its own earlier result.
    first = run_in_cell(kernel, "sql-a", "%%galilean_sql duckdb sql_1\nSELECT 1 AS one")
    assert first["error"] is None, first["error"]
    again = run_in_cell(kernel, "sql-a", "%%galilean_sql duckdb sql_1\nSELECT 2 AS one")
    assert again["error"] is None, again["error"]
    assert kernel.value("sql_1.one.tolist()") == [2]
    # Another cell may not take that result; nor may the first cell once the user
    # replaced it with something of their own.
    other = error_text(run_in_cell(kernel, "sql-b", "%%galilean_sql duckdb sql_1\nSELECT 3"))
    assert "`sql_1` already exists" in other
    run_in_cell(kernel, "py-2", "sql_1 = 'mine now'")
    mine = error_text(run_in_cell(kernel, "sql-a", "%%galilean_sql duckdb sql_1\nSELECT 4"))
    assert "`sql_1` already exists in the kernel (a str)" in mine
    assert kernel.value("sql_1") == "mine now"
    # --overwrite on the magic line replaces it (old two-word lines still parse).
    forced = run_in_cell(kernel, "sql-b", "%%galilean_sql duckdb big --overwrite\nSELECT 5 AS five")
    assert forced["error"] is None, forced["error"]
    assert kernel.value("big.five.tolist()") == [5]
    # Names the kernel itself defines are protected the same way.
    assert "`In` already exists" in error_text(
        run_in_cell(kernel, "sql-c", "%%galilean_sql duckdb In\nSELECT 1")
    )
    bad = error_text(run_in_cell(kernel, "sql-c", "%%galilean_sql duckdb x --force\nSELECT 1"))
    assert "unknown option '--force'" in bad


def test_the_python_api_assigns_nothing(kernel: Kernel) -> None:
    kernel.run("keep = 'kept'\nfrom galilean_server.kernel.api import sql")
    reply = run_in_cell(kernel, "api-1", "answer = sql('SELECT 42 AS keep')")
    assert reply["error"] is None, reply["error"]
    assert kernel.value("[keep, answer.keep.tolist()]") == ["kept", [42]]


@pytest.mark.parametrize(
    ("connection", "pattern"),
    [
        ("duckdb", "LINE 4: WHERE i = = 1"),
        ("pg", "LINE 4: WHERE id = = 1"),
        ("maria", "at line 4"),
    ],
)
def test_error_lines_count_from_the_editor(kernel: Kernel, connection: str, pattern: str) -> None:
    source = "range(3) t(i)" if connection == "duckdb" else "people"
    column = "i" if connection == "duckdb" else "id"
    cell = f"%%galilean_sql {connection} bad\nSELECT *\nFROM {source}\nWHERE {column} = = 1"
    text = error_text(run_in_cell(kernel, f"lines-{connection}", cell))
    assert pattern in text, text
    # The Python API counts from the query itself.
    api = kernel.run(
        "from galilean_server.kernel.api import sql\n"
        f"sql('SELECT *\\nFROM {source}\\nWHERE {column} = = 1', {connection!r})"
    )
    assert pattern.replace("4", "3") in error_text(api)


def test_line_shift_keeps_the_caret_under_the_error() -> None:
    from galilean_server.kernel.sql_results import shift_lines

    message = 'syntax error at or near "="\n\nLINE 9: WHERE x = = 1\n                  ^'
    assert shift_lines(message) == (
        'syntax error at or near "="\n\nLINE 10: WHERE x = = 1\n                   ^'
    )
    mysql = "near 'at line 7 = 1' at line 2"
    assert shift_lines(mysql) == "near 'at line 7 = 1' at line 3"


def test_format_sql_keeps_references_and_names_bad_lines() -> None:
    from galilean_server.sql_format import format_sql
    from galilean_services.errors import ValidationError

    formatted = format_sql("select a,b from t where x in {{ ids }} and y={{y}}", "postgresql")
    assert formatted == "SELECT\n  a,\n  b\nFROM t\nWHERE\n  x IN {{ ids }} AND y = {{ y }}"
    assert format_sql("select `a` from t limit 5;", "mariadb") == "SELECT\n  `a`\nFROM t\nLIMIT 5;"
    assert format_sql("  \n", "duckdb") == "  \n"
    with pytest.raises(ValidationError, match=r"does not parse: .*'where' \(line 3\)"):
        format_sql("select 1\nfrom where", "sqlite", first_line=2)
    with pytest.raises(ValidationError, match="dialect: formatting supports"):
        format_sql("select 1", "oracle")
