"""Galilean's kernel helper: `%load_ext galilean_server.kernel` adds the `%%galilean_sql`
cell magic that SQL cells run (see sql_cell.py)."""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    from .sql_cell import SqlMagics

    ipython.register_magics(SqlMagics(ipython))
