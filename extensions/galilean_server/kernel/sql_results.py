"""What a SQL cell may do with its result name, and how its errors count lines.

The magic line is `%%galilean_sql [connection [variable [--overwrite]]]`; notebooks
saved before `--overwrite` existed (`%%galilean_sql conn var`) keep working.

A SQL cell never silently replaces the user's data: it assigns its result to `variable`
only if that name is free, or holds the object this same cell produced under that name on
its last run (so rerunning a cell refreshes its own result), or the magic line says
`--overwrite`. Otherwise the cell is refused before the query runs, with a message that
names the variable and says how to overwrite. Cells are told apart by the cell id that
JupyterLab sends with each execution (IPython's `pre_run_cell` event, `info.cell_id`);
without one (a console, an old front end) all SQL cells count as one cell, so they may
replace each other's results but still never anything else.

Line numbers in the database's errors ("LINE 2:" of DuckDB and PostgreSQL, MySQL's and
MariaDB's "at line 2") count from the query, which starts below the magic line: in a
SQL cell they are shifted by one to be the line the user sees in the editor.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

DEFAULT_CONNECTION = "duckdb"
DEFAULT_VARIABLE = "df"  # what `%%galilean_sql` alone has always named its result
OVERWRITE = "--overwrite"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SqlCellError(Exception):
    """Shown as its message alone (IPython uses `_render_traceback_`)."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m{self}\x1b[0m"]


@dataclass(frozen=True)
class MagicLine:
    connection: str
    variable: str
    overwrite: bool


def parse_line(line: str) -> MagicLine:
    words = line.split()
    overwrite = OVERWRITE in words
    words = [w for w in words if w != OVERWRITE]
    flags = [w for w in words if w.startswith("-")]
    if flags:
        raise SqlCellError(
            f"%%galilean_sql: unknown option {flags[0]!r} (the line is "
            f"`%%galilean_sql <connection> <variable> [{OVERWRITE}]`)"
        )
    if len(words) > 2:
        raise SqlCellError(
            f"%%galilean_sql: too many words {' '.join(words[2:])!r} (the line is "
            f"`%%galilean_sql <connection> <variable> [{OVERWRITE}]`)"
        )
    connection = words[0] if words else DEFAULT_CONNECTION
    variable = words[1] if len(words) > 1 else DEFAULT_VARIABLE
    if not IDENTIFIER.match(variable):
        raise SqlCellError(f"result name {variable!r} is not a Python name")
    return MagicLine(connection, variable, overwrite)


def describe(value: Any) -> str:
    """A few words on what a name holds: "a DataFrame with 100,000 rows and 3 columns"."""
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and len(shape) == 2 and all(isinstance(n, int) for n in shape):
        return f"a {kind} with {_count(shape[0], 'row')} and {_count(shape[1], 'column')}"
    return f"a {kind}"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


class ResultKeeper:
    """Which object each SQL cell last produced under which name (weakly: a result the
    user deletes is not kept alive)."""

    def __init__(self) -> None:
        self.cell_id: str | None = None
        self._made: dict[tuple[str | None, str], weakref.ref[Any]] = {}

    def pre_run_cell(self, info: Any) -> None:
        """IPython's `pre_run_cell` event: remember which cell is running."""
        cell_id = getattr(info, "cell_id", None)
        self.cell_id = cell_id if isinstance(cell_id, str) and cell_id else None

    def check(self, line: MagicLine, namespace: dict[str, Any]) -> None:
        """Refuse (before the query runs) to replace an object this cell did not make."""
        if line.overwrite or line.variable not in namespace:
            return
        existing = namespace[line.variable]
        made = self._made.get((self.cell_id, line.variable))
        if made is not None and made() is existing:
            return
        rerun = f"%%galilean_sql {line.connection} {line.variable} {OVERWRITE}"
        raise SqlCellError(
            f"Not run: `{line.variable}` already exists in the kernel ({describe(existing)}) "
            "and this SQL cell did not make it, so it was left as it is.\n"
            f"To replace it, add {OVERWRITE} to the first line:  {rerun}\n"
            "or give the result another name (in the SQL bar or on the first line)."
        )

    def keep(self, line: MagicLine, namespace: dict[str, Any], value: Any) -> None:
        namespace[line.variable] = value
        try:
            self._made[(self.cell_id, line.variable)] = weakref.ref(value)
        except TypeError:  # not weakly referable: such a result is never "ours" again
            self._made.pop((self.cell_id, line.variable), None)


_POSTGRES_LINE = re.compile(r"^(?P<head>.*?\bLINE )(?P<n>\d+)(?P<tail>:.*)$")
_MYSQL_LINE = re.compile(r"\bat line (\d+)\b")


def shift_lines(message: str, by: int = 1) -> str:
    """`message` with the database's line numbers shifted by `by` (the magic line); the
    caret below a "LINE n:" line moves with it if the number gets longer."""
    lines = message.split("\n")
    out: list[str] = []
    pad = 0
    for text in lines:
        match = _POSTGRES_LINE.match(text)
        if match:
            old = match.group("n")
            new = str(int(old) + by)
            pad = len(new) - len(old)
            out.append(match.group("head") + new + match.group("tail"))
            continue
        if pad and text.strip() == "^":
            text = " " * pad + text
        pad = 0
        out.append(text)
    shifted = "\n".join(out)
    found = list(_MYSQL_LINE.finditer(shifted))
    if found:  # MySQL's message quotes the SQL before it: only its last "at line n" counts
        last = found[-1]
        shifted = shifted[: last.start(1)] + str(int(last.group(1)) + by) + shifted[last.end(1) :]
    return shifted
