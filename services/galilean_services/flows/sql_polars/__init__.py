"""A SQL node's query (`transform.sql`) as a Polars lazy plan meaning what DuckDB makes of
it, for the shapes people write: SELECT <expressions> FROM input [WHERE] [GROUP BY …
[HAVING]] with window functions, [DISTINCT] [ORDER BY] [LIMIT/OFFSET], and scalar
subqueries over `input`. Anything else raises NoPolarsForm naming the construct (the flow
then runs on DuckDB, which says so in the log).

The query runs in stages. Each adds hidden columns (`__q<n>`) to the frame and rewrites the
parts of the query that read them into plain column references, so that what is left for
polars_expr.translate is a scalar expression:

1. scalar subqueries, over the whole input (before WHERE);
2. WHERE;
3. GROUP BY keys and aggregates, then HAVING;
4. window functions, through transform.window's `window_expr` (running aggregates
   through its `running_frame`);
5. the projection, with the ORDER BY keys that are not outputs;
6. DISTINCT, ORDER BY, OFFSET / LIMIT.

DuckDB semantics kept: NULLs sort last in both directions unless NULLS FIRST is written;
ORDER BY a name means the output column first, GROUP BY a name the input column first; an
aggregate of no rows is NULL (a count is 0).
"""

from .query import lazy_query

__all__ = ["lazy_query"]
