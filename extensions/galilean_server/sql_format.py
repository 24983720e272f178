"""Format a SQL cell's query (its body, not the `%%galilean_sql` line) with sqlglot, in the
dialect of the cell's connection: the one SQL formatter of the notebook (jupysql-plugin's
"Format SQL" button is disabled by the labextension's package.json).

    POST /galilean/connections/<name>/format  {"sql": "select a,b from t", "first_line": 2}
    -> {"sql": "SELECT\\n  a,\\n  b\\nFROM t"}

`{{ name }}` references (bind parameters of SQL cells) are kept as they are. SQL that does
not parse is left alone: the answer is a 400 naming the line, counted from `first_line`
(the editor's line of the query's first line; 1 unless told).
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot.errors import ErrorLevel, ParseError

from galilean_services.dialects import DialectRegistry, default_registry
from galilean_services.kit.errors import ValidationError

REFERENCE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PLACEHOLDER = "__galilean_ref_{}__"
MAX_SQL = 1_000_000


def format_sql(
    sql: str, dialect: str, first_line: int = 1, dialects: DialectRegistry | None = None
) -> str:
    """`sql` pretty-printed for `dialect` (a connection's backend name)."""
    written = (dialects or default_registry()).with_sqlglot()
    if dialect not in written:
        raise ValidationError(f"dialect: formatting supports {', '.join(sorted(written))}")
    if not sql.strip():
        return sql
    references: list[str] = []

    def hold(match: re.Match[str]) -> str:
        references.append(match.group(1))
        return PLACEHOLDER.format(len(references) - 1)

    held = REFERENCE.sub(hold, sql)
    try:
        statements = sqlglot.transpile(
            held,
            read=written[dialect],
            write=written[dialect],
            pretty=True,
            error_level=ErrorLevel.RAISE,
        )
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" (line {int(first['line']) + first_line - 1})" if first.get("line") else ""
        reason = _readable(str(first.get("description") or exc).splitlines()[0])
        raise ValidationError(f"sql: not formatted, it does not parse: {reason}{where}") from None
    text = ";\n\n".join(s for s in statements if s.strip())
    if sql.rstrip().endswith(";"):
        text += ";"
    for index, name in enumerate(references):
        placeholder = PLACEHOLDER.format(index)
        if text.count(placeholder) != 1:
            raise ValidationError(f"sql: not formatted, {{{{ {name} }}}} would not be kept")
        text = text.replace(placeholder, f"{{{{ {name} }}}}")
    return text


def _readable(reason: str) -> str:
    """sqlglot's reason without its object reprs: `<Token ... text: where, ...>` -> 'where'."""
    reason = re.sub(r"<Token token_type: [^,]+, text: (.*?), line: .*?>", r"'\1'", reason)
    return re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", reason)


def format_request(body: dict[str, Any]) -> tuple[str, int]:
    """The query and its first line from a Format request's body."""
    sql = body.get("sql")
    if not isinstance(sql, str):
        raise ValidationError("sql: the query to format, as text, is required")
    if len(sql) > MAX_SQL:
        raise ValidationError(f"sql: at most {MAX_SQL:,} characters can be formatted")
    first_line = body.get("first_line", 1)
    if not isinstance(first_line, int) or isinstance(first_line, bool) or first_line < 1:
        raise ValidationError("first_line: a positive whole number")
    return sql, first_line
