"""What the stages of a SQL query on Polars share: the frame with its hidden columns, and
the aggregate calls and output names SQL gives."""

from __future__ import annotations

import polars as pl
from sqlglot import exp

from ..polars_expr import NoPolarsForm, aggregate, schema_of, translate

HIDDEN = "__q"
AGGREGATES: dict[type[exp.Expression], str] = {
    exp.Sum: "sum",
    exp.Avg: "avg",
    exp.Min: "min",
    exp.Max: "max",
    exp.Median: "median",
    exp.Count: "count",
}
RANKING: dict[type[exp.Expression], str] = {
    exp.RowNumber: "row_number",
    exp.Rank: "rank",
    exp.DenseRank: "dense_rank",
    exp.Lag: "lag",
    exp.Lead: "lead",
}
# The parts of a SELECT translated here; any other part keeps the query on DuckDB.


class Stage:
    """The frame so far, and hidden columns added to it."""

    def __init__(self, frame: pl.LazyFrame) -> None:
        self.frame = frame
        self.made = 0

    def schema(self) -> dict[str, pl.DataType]:
        return dict(schema_of(self.frame))

    def hidden(self) -> str:
        self.made += 1
        return f"{HIDDEN}{self.made}"

    def translate(self, tree: exp.Expression) -> pl.Expr:
        return translate(tree, self.schema())

    def add(self, columns: dict[str, pl.Expr]) -> None:
        if columns:
            self.frame = self.frame.with_columns(**columns)

    def column_of(self, tree: exp.Expression) -> str:
        """The name of a column holding `tree`'s value (added when it is not one)."""
        if isinstance(tree, exp.Column) and tree.name in self.schema():
            return tree.name
        name = self.hidden()
        self.add({name: self.translate(tree)})
        return name

    def visible(self) -> list[str]:
        return [c for c in self.schema() if not c.startswith(HIDDEN)]


def aggregate_of(node: exp.Expression, stage: Stage, where: pl.Expr | None = None) -> pl.Expr:
    """One aggregate call over the stage's rows (those `where` holds for, if given)."""
    function, argument = call_of(node)
    if argument is None:
        if where is None:
            return aggregate(function, None)
        return where.fill_null(False).sum().cast(pl.Int64)
    value = stage.translate(argument)
    return aggregate(function, value if where is None else value.filter(where))


def call_of(node: exp.Expression) -> tuple[str, exp.Expression | None]:
    """The aggregate's function name (as polars_expr.aggregate knows it) and argument."""
    function, argument = AGGREGATES[type(node)], node.this
    if node.expressions:
        raise NoPolarsForm(f"{function} of more than one value")
    if isinstance(argument, exp.Distinct):
        if function != "count" or len(argument.expressions) != 1:
            raise NoPolarsForm(f"{function.upper()}(DISTINCT …)")
        return "count_distinct", argument.expressions[0]
    if isinstance(argument, exp.Star):
        return function, None
    return function, argument


def names_output(tree: exp.Expression, select: exp.Select) -> bool:
    if isinstance(tree, exp.Literal) and not tree.is_string:
        return True
    names = {output_name(e) for e in select.expressions if not isinstance(e, exp.Star)}
    return isinstance(tree, exp.Column) and tree.name in names


def output_name(tree: exp.Expression) -> str:
    if isinstance(tree, exp.Alias):
        return tree.alias
    if isinstance(tree, exp.Column):
        return tree.name
    if isinstance(tree, exp.Star):
        return "*"
    raise NoPolarsForm("an output without a name (write AS name)")
