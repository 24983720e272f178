"""The first stages of a SQL query on Polars: what is supported, scalar subqueries, WHERE,
GROUP BY and HAVING; then output.py's."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import polars as pl
from sqlglot import exp

from ..polars_expr import NoPolarsForm, schema_of
from .output import finish, position, windows
from .stage import AGGREGATES, HIDDEN, Stage, aggregate_of, names_output, output_name

CLAUSES = {"expressions", "from_", "where", "group", "having", "order", "limit", "offset"}
CLAUSES |= {"distinct"}
CLAUSE_NAMES = {"with_": "a CTE (WITH …)", "joins": "a JOIN", "qualify": "QUALIFY"}

Rewrite = Callable[[exp.Expression], exp.Expression]


def lazy_query(tree: exp.Query, frame: pl.LazyFrame) -> pl.LazyFrame:
    """The rows of `tree` (a SELECT over `input`) read from `frame`, as a lazy frame."""
    try:
        return _stages(tree, frame)
    except (LookupError, AttributeError, AssertionError) as exc:  # a shape not foreseen
        raise NoPolarsForm(f"a query shape not translated ({type(exc).__name__})") from None


def _stages(tree: exp.Query, frame: pl.LazyFrame) -> pl.LazyFrame:
    select = _supported(tree)
    if any(c.startswith(HIDDEN) for c in schema_of(frame)):
        raise NoPolarsForm(f"an input column named {HIDDEN}…")
    stage = Stage(frame)
    select = _normalized(_subqueries(select, stage))
    where = select.args.get("where")
    if where is not None:
        stage.frame = stage.frame.filter(stage.translate(where.this))
    rewrite = _group(select, stage) if _aggregated(select) else _row_level
    outputs = [(output_name(e), rewrite(e.unalias())) for e in select.expressions]
    order = select.args.get("order")
    ordered = [
        (o, o.this if names_output(o.this, select) else rewrite(o.this))
        for o in (order.expressions if order else [])
    ]
    outputs, ordered = windows(outputs, ordered, stage)
    return finish(select, outputs, ordered, stage)


def _supported(tree: exp.Query) -> exp.Select:
    if not isinstance(tree, exp.Select):
        raise NoPolarsForm(f"a {type(tree).__name__.upper()} query")
    for key, value in tree.args.items():
        if value and key not in CLAUSES:
            raise NoPolarsForm(CLAUSE_NAMES.get(key, f"{key.upper().rstrip('_')} in a query"))
    source = _source(tree)
    if not isinstance(source, exp.Table) or source.name != "input":
        raise NoPolarsForm("a subquery in FROM")
    distinct = tree.args.get("distinct")
    if distinct is not None and distinct.args.get("on"):
        raise NoPolarsForm("DISTINCT ON")
    group = tree.args.get("group")
    if group is not None and any(group.args.get(k) for k in ("grouping_sets", "cube", "rollup")):
        raise NoPolarsForm("ROLLUP, CUBE or GROUPING SETS")
    if group is not None and group.args.get("all"):
        raise NoPolarsForm("GROUP BY ALL")
    for node in tree.walk():
        _check_node(node)
    return tree


def _check_node(node: exp.Expr) -> None:
    if isinstance(node, exp.Anonymous):
        raise NoPolarsForm(f"function {node.name.upper()}")
    if isinstance(node, exp.Filter | exp.IgnoreNulls | exp.RespectNulls | exp.WithinGroup):
        raise NoPolarsForm(f"{type(node).__name__} in an aggregate")
    if isinstance(node, exp.Star) and any(node.args.values()):
        raise NoPolarsForm("* with EXCLUDE, REPLACE or RENAME")
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
        raise NoPolarsForm("a qualified *")


def _normalized(select: exp.Select) -> exp.Select:
    """Columns without their table and quotes, so equal expressions print alike."""

    def plain(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            return exp.column(node.name, quoted=True)
        return node

    result = select.transform(plain)
    assert isinstance(result, exp.Select)
    return result


def _subqueries(select: exp.Select, stage: Stage) -> exp.Select:
    """Each scalar subquery over `input` as a hidden column of the whole input."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Subquery) and node.arg_key != "query":  # not IN (SELECT …)
            return exp.column(_scalar(node, stage), quoted=True)
        return node

    result = select.copy()
    for part in ("expressions", "where", "group", "having", "order"):
        value = result.args.get(part)
        items = value if isinstance(value, list) else [value] if value is not None else []
        for item in items:
            item.replace(item.transform(replace))
    if any(isinstance(n, exp.Query) for n in result.walk() if n is not result):
        raise NoPolarsForm("a subquery that is not a scalar one")
    return result


def _scalar(subquery: exp.Subquery, stage: Stage) -> str:
    inner = subquery.this
    if not isinstance(inner, exp.Select) or len(inner.expressions) != 1:
        raise NoPolarsForm("a subquery that is not one aggregate over input")
    allowed = {"expressions", "from_", "where"}
    if any(v for k, v in inner.args.items() if k not in allowed):
        raise NoPolarsForm("a scalar subquery with clauses other than WHERE")
    source = _source(inner)
    if not isinstance(source, exp.Table) or source.name != "input":
        raise NoPolarsForm("a subquery over something other than input")
    names = {source.alias_or_name, "input"}
    if any(c.table and c.table not in names for c in inner.find_all(exp.Column)):
        raise NoPolarsForm("a correlated subquery")
    where = inner.args.get("where")
    condition = stage.translate(_normalized(inner).args["where"].this) if where else None
    made: dict[str, str] = {}
    columns: dict[str, pl.Expr] = {}

    def measure(node: exp.Expression) -> exp.Expression:
        if type(node) in AGGREGATES:
            key = node.sql(dialect="duckdb")
            if key not in made:
                made[key] = stage.hidden()
                columns[made[key]] = aggregate_of(node, stage, condition)
            return exp.column(made[key], quoted=True)
        if isinstance(node, exp.Column | exp.Window):
            raise NoPolarsForm("a scalar subquery that is not an aggregate")
        return node

    value = _normalized(inner).expressions[0].unalias().transform(measure)
    stage.add(columns)
    name = stage.hidden()
    stage.add({name: stage.translate(value)})
    return name


def _aggregated(select: exp.Select) -> bool:
    if select.args.get("group") or select.args.get("having"):
        return True
    return any(type(n) in AGGREGATES for e in select.expressions for n in _outsidewindows(e))


def _outsidewindows(tree: exp.Expression) -> Iterator[exp.Expression]:
    """The nodes of `tree` that are not a window's function itself."""
    yield tree
    for child in tree.iter_expressions():
        if isinstance(tree, exp.Window) and child is tree.this:
            yield from (n for c in child.iter_expressions() for n in _outsidewindows(c))
        else:
            yield from _outsidewindows(child)


def _row_level(tree: exp.Expression) -> exp.Expression:
    return tree


def _group(select: exp.Select, stage: Stage) -> Rewrite:
    """Group and aggregate the stage's frame; the rewrite that reads the result."""
    group = select.args.get("group")
    keys: dict[str, str] = {}
    key_exprs: list[pl.Expr] = []
    for tree in group.expressions if group is not None else []:
        tree = _group_key(tree, select, stage)
        if isinstance(tree, exp.Column) and tree.name in stage.schema():
            name = tree.name
        else:
            name = stage.hidden()
        keys[tree.sql(dialect="duckdb")] = name
        key_exprs.append(stage.translate(tree).alias(name))
    measures: dict[str, str] = {}
    measure_exprs: list[pl.Expr] = []
    skip: set[int] = set()

    def read(node: exp.Expression) -> exp.Expression:
        key = node.sql(dialect="duckdb")
        if key in keys:
            return exp.column(keys[key], quoted=True)
        if isinstance(node, exp.Window):
            skip.add(id(node.this))
        elif type(node) in AGGREGATES and id(node) not in skip:
            if key not in measures:
                measures[key] = stage.hidden()
                measure_exprs.append(aggregate_of(node, stage).alias(measures[key]))
            return exp.column(measures[key], quoted=True)
        elif isinstance(node, exp.Column):
            if node.name.startswith(HIDDEN):
                raise NoPolarsForm("a scalar subquery outside an aggregate in a grouped query")
            raise NoPolarsForm(f"column {node.name!r} neither grouped nor aggregated")
        elif isinstance(node, exp.Star):
            raise NoPolarsForm("* in a grouped query")
        return node

    def rewrite(tree: exp.Expression) -> exp.Expression:
        return tree.transform(read)

    having = select.args.get("having")
    condition = rewrite(having.this) if having is not None else None
    for tree in select.expressions:
        rewrite(tree.unalias())  # collect the measures before aggregating
    order = select.args.get("order")
    for ordered in order.expressions if order else []:
        if not names_output(ordered.this, select):
            rewrite(ordered.this)
    if key_exprs:
        stage.frame = stage.frame.group_by(key_exprs).agg(measure_exprs)
    else:
        stage.frame = stage.frame.select(measure_exprs)
    if condition is not None:
        stage.frame = stage.frame.filter(stage.translate(condition))
    return rewrite


def _group_key(tree: exp.Expression, select: exp.Select, stage: Stage) -> exp.Expression:
    """A GROUP BY item: an input column first, else a position or an output's name."""
    outputs = select.expressions
    if isinstance(tree, exp.Literal) and not tree.is_string:
        return _bare(outputs[position(tree, len(outputs)) - 1])
    if isinstance(tree, exp.Column) and tree.name not in stage.schema():
        for output in outputs:
            if isinstance(output, exp.Alias) and output.alias == tree.name:
                return _bare(output)
    return tree


def _bare(output: exp.Expression) -> exp.Expression:
    """An output without its alias."""
    inner = output.unalias()
    assert isinstance(inner, exp.Expression)
    return inner


def _source(select: exp.Select) -> exp.Expression:
    source = select.args.get("from_")
    if source is None:
        raise NoPolarsForm("a query without FROM input")
    assert isinstance(source.this, exp.Expression)
    return source.this
