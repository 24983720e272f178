"""The visual query builder's SQL: a JSON description of a query (a table, columns, joins,
filters, grouping and aggregates, order, limit) rendered for a connection's dialect, with
identifiers quoted as that dialect wants and values as quoted literals.

    {"table": {"schema": "public", "name": "orders"},
     "columns": [{"table": 0, "column": "region"}],
     "joins": [{"table": {"schema": "public", "name": "customers"}, "how": "left",
                "on": [{"left": {"table": 0, "column": "customer_id"},
                        "right": {"table": 1, "column": "id"}}]}],
     "filters": [{"column": {"table": 0, "column": "amount"}, "op": ">", "value": 10}],
     "group_by": [{"table": 0, "column": "region"}],
     "aggregates": [{"function": "sum", "column": {"table": 0, "column": "amount"},
                     "as": "revenue"}],
     "order_by": [{"column": "revenue", "descending": true}],
     "limit": 100}

Table 0 is the main table, 1.. the joined ones in order (aliased t0, t1, ...).
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from galilean_services.dialects import DialectRegistry, default_registry
from galilean_services.kit.errors import ValidationError

JOINS = ("inner", "left", "right", "full")
FUNCTIONS = ("count", "count_distinct", "sum", "avg", "min", "max")
OPERATORS = (
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "contains",
    "starts with",
    "is null",
    "not null",
    "in",
)


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [{"field": field}])


def _table(spec: Any, field: str, alias: str) -> exp.Table:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
        raise _bad(field, "a table {schema?, name} is required")
    schema = spec.get("schema") or None
    return exp.Table(
        this=exp.to_identifier(spec["name"], quoted=True),
        db=exp.to_identifier(schema, quoted=True) if schema else None,
        alias=exp.TableAlias(this=exp.to_identifier(alias)),
    )


def _column(spec: Any, field: str, tables: int) -> exp.Column:
    if not isinstance(spec, dict) or not isinstance(spec.get("column"), str):
        raise _bad(field, "a column {table, column} is required")
    index = spec.get("table", 0)
    if not isinstance(index, int) or not 0 <= index < tables:
        raise _bad(field, f"table {index!r} is not in the query")
    return exp.column(exp.Identifier(this=spec["column"], quoted=True), table=f"t{index}")


def _literal(value: Any, field: str) -> Any:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise _bad(field, "a text, number or boolean value is required")


def _condition(item: Any, index: int, tables: int) -> Any:
    field = f"filters[{index}]"
    if not isinstance(item, dict):
        raise _bad(field, "a filter {column, op, value} is required")
    column = _column(item.get("column"), f"{field}.column", tables)
    op = item.get("op", "=")
    value = item.get("value")
    if op == "is null":
        return exp.Is(this=column, expression=exp.null())
    if op == "not null":
        return exp.not_(exp.Is(this=column, expression=exp.null()))
    if op == "contains":
        return exp.Like(this=column, expression=exp.Literal.string(f"%{value}%"))
    if op == "starts with":
        return exp.Like(this=column, expression=exp.Literal.string(f"{value}%"))
    if op == "in":
        if not isinstance(value, list) or not value:
            raise _bad(f"{field}.value", "a non-empty list is required for 'in'")
        return exp.In(this=column, expressions=[_literal(v, f"{field}.value") for v in value])
    builders = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
    if op not in builders:
        raise _bad(f"{field}.op", f"one of {', '.join(OPERATORS)}")
    return builders[op](this=column, expression=_literal(value, f"{field}.value"))


def _aggregate(item: Any, index: int, tables: int) -> Any:
    field = f"aggregates[{index}]"
    if not isinstance(item, dict) or item.get("function") not in FUNCTIONS:
        raise _bad(f"{field}.function", f"one of {', '.join(FUNCTIONS)}")
    function = item["function"]
    if function == "count" and not item.get("column"):
        call: Any = exp.Count(this=exp.Star())
    else:
        column = _column(item.get("column"), f"{field}.column", tables)
        if function == "count_distinct":
            call = exp.Count(this=exp.Distinct(expressions=[column]))
        else:
            call = {
                "count": exp.Count,
                "sum": exp.Sum,
                "avg": exp.Avg,
                "min": exp.Min,
                "max": exp.Max,
            }[function](this=column)
    name = item.get("as") or f"{function}_{index}"
    return exp.alias_(call, exp.to_identifier(str(name), quoted=True))


def _join(join: Any, index: int, tables: int) -> tuple[exp.Table, Any, str]:
    """A join's table, condition and kind (JOIN_TYPE)."""
    field = f"joins[{index}]"
    if not isinstance(join, dict):
        raise _bad(field, "a join {table, how, on} is required")
    how = join.get("how", "inner")
    if how not in JOINS:
        raise _bad(f"{field}.how", f"one of {', '.join(JOINS)}")
    pairs = join.get("on") or []
    if not isinstance(pairs, list) or not pairs:
        raise _bad(f"{field}.on", "at least one pair of columns is required")
    condition = exp.and_(
        *[
            exp.EQ(
                this=_column(p.get("left"), f"{field}.on[{i}].left", tables),
                expression=_column(p.get("right"), f"{field}.on[{i}].right", tables),
            )
            for i, p in enumerate(pairs)
        ]
    )
    table = _table(join.get("table"), f"{field}.table", f"t{index + 1}")
    return table, condition, how.upper()


def _ordered(item: Any, index: int, tables: int) -> exp.Ordered:
    if not isinstance(item, dict) or not isinstance(item.get("column"), str | dict):
        raise _bad(f"order_by[{index}]", "a column or an output name is required")
    key = item["column"]
    target = (
        _column(key, f"order_by[{index}]", tables)
        if isinstance(key, dict)
        else exp.column(exp.Identifier(this=key, quoted=True))
    )
    return exp.Ordered(this=target, desc=bool(item.get("descending")))


def _columns(spec: dict[str, Any], key: str, tables: int) -> list[exp.Column]:
    return [_column(c, f"{key}[{i}]", tables) for i, c in enumerate(spec.get(key) or [])]


def build(spec: dict[str, Any], dialect: str, dialects: DialectRegistry | None = None) -> str:
    """The SQL of `spec` for `dialect` (a connection's backend name)."""
    written = (dialects or default_registry()).with_sqlglot()
    if dialect not in written:
        raise _bad("dialect", f"the builder writes SQL for {', '.join(sorted(written))}")
    joins = spec.get("joins") or []
    if not isinstance(joins, list):
        raise _bad("joins", "a list is required")
    tables = 1 + len(joins)
    query = exp.select().from_(_table(spec.get("table"), "table", "t0"))
    for index, join in enumerate(joins):
        table, condition, how = _join(join, index, tables)
        query = query.join(table, on=condition, join_type=how)
    group = _columns(spec, "group_by", tables)
    aggregates = [_aggregate(a, i, tables) for i, a in enumerate(spec.get("aggregates") or [])]
    columns = _columns(spec, "columns", tables)
    selected: list[Any] = [*group, *aggregates] if (group or aggregates) else list(columns)
    query = query.select(*(selected or [exp.Star()]))
    filters = [_condition(f, i, tables) for i, f in enumerate(spec.get("filters") or [])]
    if filters:
        query = query.where(exp.and_(*filters))
    if group:
        query = query.group_by(*group)
    for index, item in enumerate(spec.get("order_by") or []):
        query = query.order_by(_ordered(item, index, tables))
    limit = spec.get("limit")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise _bad("limit", "a positive whole number is required")
        query = query.limit(limit)
    return query.sql(dialect=written[dialect], pretty=True)
