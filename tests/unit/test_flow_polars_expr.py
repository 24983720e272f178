"""The Polars forms of integer `%` and `//`, date truncation and parts, regular expressions,
SUBSTRING, CONCAT and casts to text give what DuckDB gives on data with NULLs, negatives,
zero divisors, dates before 1970 and text with newlines and accents; what they cannot promise
has no Polars form and names the construct."""

from __future__ import annotations

import datetime as dt
from typing import Any

import expression_compare
import polars as pl
import pyarrow as pa
import pytest
from expression_compare import comparable

from galilean_services.flows.polars_expr import NoPolarsForm, translate
from galilean_services.flows.sql import parse_expression

DATA = pa.table(
    {
        "i": pa.array([7, -7, 7, -7, 0, None, 5, -1], pa.int64()),
        "j": pa.array([2, 2, -2, -2, 3, 2, 0, None], pa.int32()),
        "f": pa.array([2.5, -2.5, None, 0.75, 1.0, -0.5, 3.0, 4.0], pa.float64()),
        "s": pa.array(
            ["Apple pie", "banana ٣\u00a0z", None, "a_b\nc\td", "éclair", "  pad ", "x1y2", ""]
        ),
        "d": pa.array(
            [
                dt.date(2024, 2, 29),
                dt.date(1969, 12, 31),
                None,
                dt.date(2024, 1, 1),
                dt.date(2023, 12, 31),
                dt.date(2020, 6, 7),
                dt.date(1900, 3, 1),
                dt.date(2024, 12, 30),
            ],
            pa.date32(),
        ),
        "ts": pa.array(
            [
                dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
                dt.datetime(1969, 12, 31, 23, 30, 15),
                None,
                dt.datetime(2024, 1, 1, 0, 0, 0),
                dt.datetime(2023, 12, 31, 12, 1, 2, 500000),
                dt.datetime(1960, 1, 1, 5, 6, 7),
                dt.datetime(2024, 3, 10, 2, 30),
                dt.datetime(2021, 1, 3, 10, 0),
            ],
            pa.timestamp("us"),
        ),
    }
)

SAME_MEANING = [
    "i % j",
    "i // j",
    "i % 3",
    "-i // 4",
    "(i + j) % 2",
    "DATE_TRUNC('month', ts)",
    "DATE_TRUNC('month', d)",
    "date_trunc('year', d)",
    "date_trunc('quarter', ts)",
    "date_trunc('week', d)",
    "date_trunc('week', ts)",
    "date_trunc('day', ts)",
    "date_trunc('hour', ts)",
    "date_trunc('minute', ts)",
    "date_trunc('second', ts)",
    "year(d)",
    "month(ts)",
    "day(d)",
    "quarter(d)",
    "dayofweek(d)",
    "isodow(ts)",
    "dayofyear(d)",
    "week(d)",
    "hour(ts)",
    "minute(ts)",
    "second(ts)",
    "EXTRACT(year FROM d)",
    "extract(month from ts)",
    "extract(hour from ts)",
    "extract(dow from d)",
    "year(CAST(ts AS DATE))",
    "regexp_matches(s, 'a.c')",
    "regexp_matches(s, '^[a-z]+$')",
    "regexp_matches(s, 'APPLE', 'i')",
    "regexp_matches(s, '[0-9]')",
    "regexp_replace(s, 'a', '-')",
    "regexp_replace(s, 'a', '-', 'g')",
    "regexp_replace(s, '[0-9]+', '')",
    "regexp_matches(s, '\\d')",
    "regexp_replace(s, '\\s+', ' ', 'g')",
    "regexp_replace(s, '\\W', '', 'g')",
    "regexp_replace(s, '\\S', '.', 'g')",
    "regexp_replace(s, '\\D+', '')",
    "regexp_matches(s, '^\\w+$')",
    "regexp_replace(s, '[\\d_]', '#', 'g')",
    "regexp_replace(s, '[]a]', '#', 'g')",
    "regexp_matches(s, '[^\\s]{5}')",
    "substring(s, 2, 3)",
    "substring(s, 1, 0)",
    "substr(s, 3)",
    "concat(s, '!', s)",
    "concat(s, NULL)",
    "concat(s, s)",
    "CAST(i AS VARCHAR)",
    "CAST(i AS TEXT)",
    "CAST(d AS VARCHAR)",
    "lower(s) LIKE '%a%'",
    "s ILIKE 'A%'",
    "CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END",
    "coalesce(i // j, -1)",
    "month(d) IN (1, 2, 12)",
]

NO_POLARS_FORM = {
    "f % 2": "% of values that are not integers",
    "f // 2": "// of values that are not integers",
    "date_trunc('millennium', ts)": "DATE_TRUNC to MILLENNIUM",
    "hour(d)": "HOUR of a DATE",
    "extract(epoch from ts)": "date part EPOCH",
    "regexp_matches(s, '\\bpie')": "its classes or flags differ",
    "regexp_matches(s, '\\p{L}')": "its classes or flags differ",
    "regexp_matches(s, '(?s)a.b')": "its classes or flags differ",
    "regexp_matches(s, '[\\D]')": "a negated class in brackets",
    "regexp_matches(s, s)": "not a constant text",
    "regexp_replace(s, '(a)', '\\1\\1')": "a replacement with group references",
    "substring(s, 0, 2)": "SUBSTRING from before the first character",
    "substring(s, i, 2)": "not constant integers",
    "concat(s, i)": "CONCAT of values that are not text",
    "CAST(f AS VARCHAR)": "CAST of this type to text",
    "CAST(ts AS VARCHAR)": "CAST of this type to text",
}


def duckdb_values(expression: str) -> list[Any]:
    return expression_compare.duckdb_values(DATA, expression)


def polars_values(expression: str) -> list[Any]:
    return expression_compare.polars_values(DATA, expression)


@pytest.mark.parametrize("expression", SAME_MEANING)
def test_expressions_mean_what_duckdb_means(expression: str) -> None:
    assert comparable(polars_values(expression)) == comparable(duckdb_values(expression))


@pytest.mark.parametrize("expression", sorted(NO_POLARS_FORM))
def test_what_polars_would_read_differently_names_the_construct(expression: str) -> None:
    duckdb_values(expression)  # valid SQL for DuckDB
    with pytest.raises(NoPolarsForm, match=NO_POLARS_FORM[expression].replace("\\", "\\\\")):
        polars_values(expression)


def test_integer_remainders_keep_the_dividends_sign_and_zero_divisors_give_null() -> None:
    assert polars_values("i % j")[:4] == [1, -1, 1, -1]
    assert polars_values("i // j")[:4] == [3, -3, -3, 3]
    assert polars_values("i // j")[6] is None


def test_date_trunc_of_a_date_is_a_timestamp_weeks_from_monday() -> None:
    assert polars_values("date_trunc('week', d)")[4] == dt.datetime(2023, 12, 25)
    assert polars_values("date_trunc('month', d)")[1] == dt.datetime(1969, 12, 1)


def test_time_zones_stay_on_duckdb_and_name_the_type() -> None:
    schema = {"z": pl.Datetime("us", "Europe/Paris")}
    with pytest.raises(NoPolarsForm, match="only DATE and TIMESTAMP"):
        translate(parse_expression("date_trunc('day', z)", {}), schema)
    with pytest.raises(NoPolarsForm, match="only DATE and TIMESTAMP"):
        translate(parse_expression("hour(z)", {}), schema)
