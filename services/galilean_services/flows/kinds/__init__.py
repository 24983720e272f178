"""Galilean's built-in node kinds, registered like any third party's (the
`galilean.flow_kinds` entry point names `register_builtin`).

A kind is found by its name: `source.excel` in sources/excel.py, `transform.join` in
transforms/join.py, `destination.file` in destinations/file.py, `control.try` in
control/try_.py. What several kinds share lives beside them: columns.py (column checks
and vocabularies), sql_connection.py (named SQL connections), each group's base.py.
"""

from __future__ import annotations

from ..registry import Registry
from . import control, destinations, sources, transforms


def register_builtin(registry: Registry) -> None:
    for group in (sources, transforms, control, destinations):
        for kind in group.KINDS:
            registry.register(kind())
