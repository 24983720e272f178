"""What a flow's Polars script (polars_script.py) calls for the nodes Galilean makes in
Python: rows of eager kinds (user code, spreadsheets, APIs, a request) and destinations
that write in Python, made by the installed kind exactly as a run makes them. Paths are
read from the current folder (the script runs in the flow's folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from .polars_runner import arrow_of
from .registry import CompileContext, NodeKind, Registry, default_registry


def _kind(name: str, registry: Registry | None) -> NodeKind:
    kind = (registry or default_registry()).get(name)
    if kind is None:
        raise ValueError(f"kind: no node kind {name!r} is installed")
    return kind


def _context(params: dict[str, Any], request: dict[str, Any] | None) -> CompileContext:
    return CompileContext(params=dict(params), base_dir=Path.cwd(), request=request)


def eager_rows(
    kind_name: str,
    node_params: dict[str, Any],
    inputs: dict[str, pl.LazyFrame | pl.DataFrame],
    params: dict[str, Any],
    request: dict[str, Any] | None = None,
    registry: Registry | None = None,
) -> pl.LazyFrame:
    """The rows the eager kind `kind_name` makes from its inputs."""
    kind = _kind(kind_name, registry)
    tables = {port: arrow_of(frame.lazy().collect()) for port, frame in inputs.items()}
    rows: pa.Table = kind.produce(node_params, tables, _context(params, request))
    frame = pl.from_arrow(rows)
    assert isinstance(frame, pl.DataFrame)
    return frame.lazy()


def write_rows(
    kind_name: str,
    node_params: dict[str, Any],
    frame: pl.LazyFrame | pl.DataFrame,
    params: dict[str, Any],
    registry: Registry | None = None,
) -> str:
    """The destination `kind_name` writes the frame's rows; its line for the log."""
    kind = _kind(kind_name, registry)
    return kind.write(node_params, arrow_of(frame.lazy().collect()), _context(params, None))
