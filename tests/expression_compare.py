"""One SQL expression evaluated by DuckDB and by the Polars translation over the same
Arrow table, for the differential tests of `flows/polars_expr.py`."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from galilean_services.flows.polars_expr import schema_of, translate
from galilean_services.flows.sql import parse_expression


def duckdb_values(data: pa.Table, expression: str) -> list[Any]:
    con = duckdb.connect()
    con.register("data", data)
    query = f"SELECT {expression} AS v FROM data"  # noqa: S608 (the test's own expressions)
    return [row[0] for row in con.execute(query).fetchall()]


def polars_values(data: pa.Table, expression: str) -> list[Any]:
    frame = pl.from_arrow(data).lazy()  # type: ignore[union-attr]
    value = translate(parse_expression(expression, {}), schema_of(frame))
    return frame.select(value.alias("v")).collect()["v"].to_list()


def comparable(values: list[Any]) -> list[Any]:
    """Floats rounded (and NaN made equal to itself) so the engines' values compare."""
    return [
        ("nan" if math.isnan(v) else round(v, 9)) if isinstance(v, float) else v for v in values
    ]
