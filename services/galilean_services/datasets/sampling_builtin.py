"""Galilean's own sampling strategies, all in SQL on the snapshot's table:

- `random`: n rows or a fraction; each row is ranked by hash(seed, its key columns) (all
  columns by default), so the same seed draws the same rows whatever their order on disk.
- `stratified`: by one or more columns, exact proportions: each stratum gets its share of
  round(fraction x rows), floor(fraction x its size) plus one for the strata with the
  largest remainders (seeded ties), then its lowest-ranked rows as in `random`.
- `threshold`: rows whose score column is >= (or <=, >, <) a value, optionally at most n of
  them by score (ties broken by the seeded rank).

Ranking 10M rows in full is slow, so `_ranked_rows` keeps first the rows whose hash is under
a cutoff a few standard deviations above each stratum's quota, and ranks those; a stratum
short of its quota (rare) gets all its rows. The result is the same as ranking in full."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from galilean_services.datasets.model import Invalid
from galilean_services.datasets.sampling import Sampler, SamplerRegistry, SampleSource

SEED = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1, "default": 0}
KEY = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "minItems": 1,
    "description": "the columns that identify a row (all columns by default)",
}
FRACTION = {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
NUMERIC = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL.*)$")
TOP = "18446744073709551615"  # the largest hash
OPERATORS = (">=", "<=", ">", "<")
# The rows kept before ranking: a stratum's quota plus this many standard deviations and rows.
SLACK_SD = 4
SLACK_ROWS = 16


def _seed(params: Mapping[str, Any]) -> int:
    return int(params.get("seed", 0))


def _key(source: SampleSource, params: Mapping[str, Any]) -> list[str]:
    if "key" not in params:
        return [source.column(name, "key") for name in source.columns]
    return [source.column(name, "key") for name in params["key"]]


def _by(source: SampleSource, params: Mapping[str, Any]) -> list[str]:
    named = params["by"]
    columns = [named] if isinstance(named, str) else list(named)
    if len(set(columns)) != len(columns):
        raise Invalid("params.by: a column is named twice", field="params.by")
    return [source.column(name, "by") for name in columns]


def _same(strata: list[str], left: str, right: str) -> str:
    pairs = [f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in strata]
    return " AND ".join(pairs) or "TRUE"


def _fraction_sql(fraction: float) -> str:
    """The fraction as the user wrote it, an exact decimal (0.29 x 100 is 29, not 28.99)."""
    return f"CAST('{format(Decimal(repr(float(fraction))), 'f')}' AS DECIMAL(38, 18))"


def _quotas_by_fraction(source: SampleSource, strata: list[str], fraction: float, seed: int) -> str:
    """Per stratum: its size and quota, the quotas summing to round(fraction x rows)."""
    f = _fraction_sql(fraction)
    groups = ", ".join(strata)
    sizes = source.temp_table(
        f"SELECT {groups + ', ' if groups else ''}count(*) AS galilean_size "
        f"FROM {source.relation} {'GROUP BY ALL' if groups else ''}"
    )
    ties = f"hash({seed}, {groups}), {groups}" if groups else "1"
    return source.temp_table(
        f"""SELECT * EXCLUDE (galilean_base, galilean_rem, galilean_extra),
              CAST(galilean_base + CASE WHEN row_number() OVER (
                  ORDER BY galilean_rem DESC, {ties}) <= galilean_extra THEN 1 ELSE 0 END
                AS BIGINT) AS galilean_quota
            FROM (SELECT *, floor({f} * galilean_size) AS galilean_base,
                    {f} * galilean_size - floor({f} * galilean_size) AS galilean_rem,
                    round({f} * sum(galilean_size) OVER ())
                      - sum(floor({f} * galilean_size)) OVER () AS galilean_extra
                  FROM {sizes})"""
    )


def _quota_of_n(source: SampleSource, n: int) -> str:
    return source.temp_table(
        f"SELECT count(*) AS galilean_size, CAST(least(count(*), {int(n)}) AS BIGINT) "
        f"AS galilean_quota FROM {source.relation}"
    )


def _ranked_rows(
    source: SampleSource, quotas: str, strata: list[str], key: list[str], seed: int
) -> str:
    """The SELECT of each stratum's `galilean_quota` rows of lowest hash(seed, key)."""
    rank = f"hash({seed}, {', '.join('s.' + c for c in key)})"
    share = f"(galilean_quota + {SLACK_SD} * sqrt(galilean_quota) + {SLACK_ROWS}) / galilean_size"
    cut = source.temp_table(
        f"""SELECT *, CASE WHEN {share} >= 0.999 THEN CAST({TOP} AS UBIGINT)
                ELSE CAST({share} * 18446744073709551616.0 AS UBIGINT) END AS galilean_cut
            FROM {quotas} WHERE galilean_quota > 0"""
    )
    joined = f"FROM {source.relation} s JOIN {cut} q ON {_same(strata, 's', 'q')}"
    pool = source.temp_table(
        f"SELECT s.*, {rank} AS galilean_h, q.galilean_quota {joined} "
        f"WHERE {rank} <= q.galilean_cut"
    )
    groups = ", ".join(strata)
    counted = f"SELECT {groups + ', ' if groups else ''}count(*) AS galilean_n FROM {pool}"
    short = source.temp_table(
        f"""SELECT q.* FROM {cut} q LEFT JOIN ({counted} {"GROUP BY ALL" if groups else ""}) k
            ON {_same(strata, "k", "q")} WHERE coalesce(k.galilean_n, 0) < q.galilean_quota"""
    )
    short_rows = f"FROM {source.relation} s JOIN {short} q ON {_same(strata, 's', 'q')}"
    source.connection.execute(
        f"INSERT INTO {pool} SELECT s.*, {rank}, q.galilean_quota {short_rows} "
        f"WHERE {rank} > q.galilean_cut"
    )
    partition = f"PARTITION BY {groups} " if groups else ""
    order = ", ".join(["galilean_h", *key])
    return (
        f"SELECT * EXCLUDE (galilean_h, galilean_quota) FROM {pool} "
        f"QUALIFY row_number() OVER ({partition}ORDER BY {order}) <= galilean_quota "
        f"ORDER BY {groups + ', ' if groups else ''}{order}"
    )


def draw_random(source: SampleSource, params: Mapping[str, Any]) -> str:
    if ("n" in params) == ("fraction" in params):
        raise Invalid("params.n: give n (rows) or fraction, one of them", field="params.n")
    key, seed = _key(source, params), _seed(params)
    if "n" in params:
        quotas = _quota_of_n(source, int(params["n"]))
    else:
        quotas = _quotas_by_fraction(source, [], float(params["fraction"]), seed)
    return _ranked_rows(source, quotas, [], key, seed)


def draw_stratified(source: SampleSource, params: Mapping[str, Any]) -> str:
    strata, key, seed = _by(source, params), _key(source, params), _seed(params)
    quotas = _quotas_by_fraction(source, strata, float(params["fraction"]), seed)
    return _ranked_rows(source, quotas, strata, key, seed)


def draw_threshold(source: SampleSource, params: Mapping[str, Any]) -> str:
    column = source.column(params["column"], "column")
    kind = source.columns[params["column"]]
    if not NUMERIC.match(kind):
        raise Invalid(
            f"params.column: {params['column']!r} is {kind}, not a number",
            field="params.column",
            item=str(params["column"]),
        )
    value = params["value"]
    if not math.isfinite(value):
        raise Invalid("params.value: a finite number", field="params.value")
    op = params.get("op", ">=")
    chosen = f"SELECT * FROM {source.relation} WHERE {column} {op} {value!r}"
    if "n" not in params:
        return chosen
    rank = f"hash({_seed(params)}, {', '.join(_key(source, params))})"
    best = "DESC" if op.startswith(">") else "ASC"
    return f"{chosen} ORDER BY {column} {best}, {rank} LIMIT {int(params['n'])}"


RANDOM = Sampler(
    "random",
    "Random rows: n or a fraction, the same rows for the same seed",
    {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 0, "maximum": 10**15},
            "fraction": FRACTION,
            "seed": SEED,
            "key": KEY,
        },
        "additionalProperties": False,
    },
    draw_random,
)
STRATIFIED = Sampler(
    "stratified",
    "A fraction of every stratum of one or more columns, in exact proportions",
    {
        "type": "object",
        "required": ["by", "fraction"],
        "properties": {
            "by": {
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ]
            },
            "fraction": FRACTION,
            "seed": SEED,
            "key": KEY,
        },
        "additionalProperties": False,
    },
    draw_stratified,
)
THRESHOLD = Sampler(
    "threshold",
    "Rows whose score is above (or below) a value, at most n of the best",
    {
        "type": "object",
        "required": ["column", "value"],
        "properties": {
            "column": {"type": "string", "minLength": 1},
            "op": {"enum": list(OPERATORS), "default": ">="},
            "value": {"type": "number"},
            "n": {"type": "integer", "minimum": 0, "maximum": 10**15},
            "seed": SEED,
            "key": KEY,
        },
        "additionalProperties": False,
    },
    draw_threshold,
)


def register_builtin(registry: SamplerRegistry) -> None:
    for sampler in (RANDOM, STRATIFIED, THRESHOLD):
        registry.register(sampler)
