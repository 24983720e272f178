"""Galilean's kernel helper, loaded in every kernel of the environment: the
`%%galilean_sql` cell magic that SQL cells run (sql_cell.py; which names a cell may
assign and its errors' line numbers: sql_results.py) and DataFrames shown as tables paged
from the kernel (tables.py)."""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    from .sql_cell import SqlMagics

    ipython.register_magics(SqlMagics(ipython))
    if getattr(ipython, "kernel", None) is not None:  # tables need a front end to page
        from .tables import register

        register(ipython)
