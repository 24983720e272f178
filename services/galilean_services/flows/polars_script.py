"""A flow as a Python script on Polars ("show as code"): readable, runnable in a notebook
cell, computing what the engine computes. One statement per node, a variable named after
the node id, the flow's parameters a `params` dict at the top; destinations write their
files or show their rows as a run does.

A node is written as Polars code where its kind writes it (`NodeKind.lazy_code`, the code
form of `lazy`); otherwise it runs on DuckDB over its inputs' frames (`duck(...)`, the SQL
the engine runs for it), with a comment naming what kept it there. Rows made in Python
(eager kinds: user code, spreadsheets, APIs) and destinations that write in Python are
made by Galilean's own kind (script_support.py), as a run makes them.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from sqlglot import exp

from .graph import ordered, parents_of, upstream_of
from .model import Flow
from .plan import Action, Program, plan
from .polars_code_expr import path_code
from .polars_expr import NoPolarsForm, Schema
from .registry import CompileContext, NodeKind, Registry, default_registry
from .sql import DIALECT

OUTPUTS = (Action.FILE, Action.WRITE, Action.DISPLAY)
DUCK_HELPER = '''

def duck(sql: str, **frames: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """`sql` run on DuckDB over the named frames: nodes with no Polars code here."""
    with duckdb.connect() as con:
        for name, frame in frames.items():
            con.register(name, frame.lazy().collect().to_arrow())
        return con.sql(sql).pl().lazy()
'''
CSV_HELPER = '''

def write_csv(frame: pl.LazyFrame | pl.DataFrame, path: str) -> None:
    """CSV as the engine writes it (DuckDB's number and date formats)."""
    with duckdb.connect() as con:
        con.register("rows", frame.lazy().collect().to_arrow())
        con.execute("COPY rows TO $path (FORMAT CSV)", {"path": path})
'''


@dataclass
class Script:
    """The script being written: its lines, and each frame's variable and columns."""

    program: Program
    registry: Registry
    lines: list[str] = field(default_factory=list)
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (node, port) → var
    schemas: dict[str, Schema | None] = field(default_factory=dict)  # var → its columns
    uses: set[str] = field(default_factory=set)  # "duckdb", "support"
    guarded_names: set[str] = field(default_factory=set)  # variables None if they failed
    collected: set[str] = field(default_factory=set)  # variables holding a DataFrame

    @property
    def ctx(self) -> CompileContext:
        return self.program.ctx

    def kind(self, node_id: str) -> NodeKind:
        return self.registry.kind_of(self.program.flow.node(node_id).kind)


def polars_script(
    flow: Flow,
    params: dict[str, Any] | None = None,
    targets: list[str] | None = None,
    *,
    base_dir: Path | None = None,
    registry: Registry | None = None,
) -> str:
    """The flow (or what `targets` need) as a Polars script; FlowInvalid for a flow with
    problems, as a run. Paths are the flow's own, relative to its folder."""
    registry = registry or default_registry()
    program = plan(flow, params, base_dir, registry, targets=targets, counts=False, hold=False)
    script = Script(program, registry)
    outputs = {s.node: s.action for s in program.steps if s.action in OUTPUTS}
    for node_id in needed(program):
        write_node(script, node_id)
        if node_id in outputs:
            write_output(script, node_id, outputs[node_id])
    return header(script) + "\n".join(script.lines) + "\n"


def needed(program: Program) -> list[str]:
    """The nodes the program's steps need, parents first."""
    wanted: set[str] = set()
    for step in program.steps:
        wanted.update(upstream_of(program.flow, step.node))
    return [n for n in ordered(parents_of(program.flow)) if n in wanted]


def header(script: Script) -> str:
    flow = script.program.flow
    lines = [f"# {flow.name}: the flow as a Polars script (Galilean's show as code).", ""]
    lines += ["# Run it in the flow's folder: its paths are relative to it."]
    if "pathlib" in script.uses:
        lines += ["from pathlib import Path", ""]
    if "duckdb" in script.uses:
        lines.append("import duckdb")
    lines.append("import polars as pl")
    if "support" in script.uses:
        lines += ["", "from galilean_services.flows import script_support"]
    lines += ["", f"params = {script.ctx.params!r}"]
    if "duckdb" in script.uses:
        lines.append(DUCK_HELPER)
    if "csv" in script.uses:
        lines.append(CSV_HELPER)
    return "\n".join(lines) + "\n\n"


def variable(script: Script, node_id: str, port: str = "out") -> str:
    """A Python identifier for a node's output, unique in the script."""
    if (node_id, port) in script.names:
        return script.names[(node_id, port)]
    base = re.sub(r"\W", "_", node_id if port == "out" else f"{node_id}_{port}")
    if not base or base[0].isdigit() or keyword.iskeyword(base) or base in RESERVED:
        base = f"node_{base}"
    name, number = base, 2
    while name in script.names.values():
        name, number = f"{base}_{number}", number + 1
    script.names[(node_id, port)] = name
    return name


RESERVED = {"pl", "duckdb", "params", "duck", "write_csv", "script_support", "con", "rows"}


def input_names(script: Script, node_id: str) -> dict[str, str]:
    """The node's inputs by port: their variables (a port other than `out` made first)."""
    names = {}
    for port, (source, out) in script.program.flow.input_edges(node_id).items():
        if (source, out) not in script.names:
            write_port(script, source, out)
        names[port] = script.names[(source, out)]
    return names


def write_node(script: Script, node_id: str) -> None:
    kind = script.kind(node_id)
    inputs = input_names(script, node_id)
    target = variable(script, node_id)
    script.lines.append(f"# {node_id} ({kind.name})")
    start = len(script.lines)
    if kind.tolerant:
        write_tolerant(script, node_id, kind, inputs, target)
    elif kind.eager:
        write_eager(script, node_id, kind, inputs, target)
    else:
        lazy = {p: f"{n}.lazy()" if n in script.collected else n for p, n in inputs.items()}
        code, reason = native_code(script, node_id, kind, inputs, lazy)
        if code is None:
            code = duck_code(script, node_id, kind, inputs, reason)
            script.schemas[target] = duck_schema(script, node_id, kind, inputs)
        script.lines.append(f"{target} = {code}")
    if node_id in script.program.guarded:
        guard(script, node_id, start, inputs)
    script.lines.append("")


def guard(script: Script, node_id: str, start: int, inputs: dict[str, str]) -> None:
    """A node only a try node's tolerant side needs: its failure (or its input's) leaves
    it None, and the try node takes its other input."""
    target = variable(script, node_id)
    tolerant = script.program.guarded[node_id]
    body = [textwrap.indent(line, "    ") for line in script.lines[start:]]
    guarded = [n for n in inputs.values() if n in script.guarded_names]
    checks = [line for name in guarded for line in failed_check(name)]
    script.lines[start:] = [
        "try:",
        *checks,
        *body,
        f"except Exception:  # on the tried side of {tolerant}: it takes its other input",
        f"    {target} = None",
    ]
    script.guarded_names.add(target)


def native_code(
    script: Script, node_id: str, kind: NodeKind, inputs: dict[str, str], lazy: dict[str, str]
) -> tuple[str | None, str]:
    """The node's Polars code over the `lazy` frames of its inputs, its columns recorded;
    or None and why not."""
    node = script.program.flow.node(node_id)
    schemas = {port: script.schemas.get(name) for port, name in inputs.items()}
    known = {port: s for port, s in schemas.items() if s is not None}
    if len(known) < len(schemas):
        return None, "its input's columns are known only when it runs"
    prepare(script, node_id, inputs)
    try:
        empty = {port: pl.LazyFrame(schema=dict(s)) for port, s in known.items()}
        schema = dict(kind.lazy(node.params, empty, script.ctx).collect_schema())
        code = kind.lazy_code(node.params, lazy, script.ctx, known)
    except NoPolarsForm as exc:
        return None, f"no Polars form with the engine's meaning for {exc}"
    if code is None or not code_matches_lazy(kind):
        return None, f"{kind.name} has no Polars code written"
    script.schemas[variable(script, node_id)] = schema
    return code, ""


def code_matches_lazy(kind: NodeKind) -> bool:
    """The kind's `lazy_code` is written for its `lazy`, not inherited from a kind whose
    `lazy` it overrides (a branch is a filter that keeps every row)."""

    def owner(name: str) -> type:
        return next(c for c in type(kind).__mro__ if name in c.__dict__)

    return issubclass(owner("lazy_code"), owner("lazy"))


def prepare(script: Script, node_id: str, inputs: dict[str, str]) -> CompileContext:
    ctx = script.ctx
    ctx.node_id = node_id
    ctx.upstream = {
        port: list(s) if (s := script.schemas.get(name)) is not None else None
        for port, name in inputs.items()
    }
    return ctx


def node_sql(script: Script, node_id: str, kind: NodeKind, inputs: dict[str, str]) -> str:
    """The SQL the engine runs for the node, over its inputs' frames by variable name."""
    ctx = prepare(script, node_id, inputs)
    tables = {port: exp.to_table(name) for port, name in inputs.items()}
    query = kind.compile(script.program.flow.node(node_id).params, tables, ctx)
    return query.sql(dialect=DIALECT, pretty=True)


def relative(sql: str, base_dir: Path) -> str:
    """The engine's SQL names files by their full path: the script by the flow's own."""
    folder = str(Path(base_dir).resolve())
    return sql.replace(f"'{folder}/", "'")


def duck_code(
    script: Script, node_id: str, kind: NodeKind, inputs: dict[str, str], reason: str
) -> str:
    script.uses.add("duckdb")
    script.lines.append(f"# on DuckDB: {reason}")
    sql = relative(node_sql(script, node_id, kind, inputs), script.ctx.base_dir)
    frames = "".join(f", {name}={name}" for name in inputs.values())
    return f"duck(\n    {quoted(sql)}{frames}\n)"


def quoted(sql: str) -> str:
    """`sql` as a Python string literal, on its own lines when it has several."""
    if "\n" not in sql:
        return repr(sql)
    body = sql.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'"""\n{body}\n"""'


def duck_schema(
    script: Script, node_id: str, kind: NodeKind, inputs: dict[str, str]
) -> Schema | None:
    """The columns DuckDB gives the node, asked of empty inputs (None: not known)."""
    schemas = [script.schemas.get(name) for name in inputs.values()]
    if any(s is None for s in schemas):
        return None
    try:
        sql = node_sql(script, node_id, kind, inputs)
        with duckdb.connect() as con:
            for name, schema in zip(inputs.values(), schemas, strict=True):
                con.register(name, pl.DataFrame(schema=dict(schema or {})).to_arrow())
            # The engine's own compiled query, over empty frames of the inputs' columns.
            frame = con.sql(f"SELECT * FROM ({sql}) LIMIT 0").pl()  # noqa: S608
    except (duckdb.Error, NoPolarsForm, NotImplementedError, ValueError):
        return None
    return dict(frame.schema)


def write_port(script: Script, node_id: str, port: str) -> None:
    """Another output of a node (a branch's `false`): its rows as the engine takes them."""
    kind = script.kind(node_id)
    node = script.program.flow.node(node_id)
    source = variable(script, node_id)
    target = variable(script, node_id, port)
    query = kind.output(node.params, port, exp.to_table(source), script.ctx)
    script.uses.add("duckdb")
    script.lines.append(f"# {node_id}'s output {port!r}, on DuckDB")
    sql = relative(query.sql(dialect=DIALECT, pretty=True), script.ctx.base_dir)
    script.lines.append(f"{target} = duck(\n    {quoted(sql)}, {source}={source}\n)")
    script.schemas[target] = script.schemas.get(source)
    script.lines.append("")


def write_eager(
    script: Script, node_id: str, kind: NodeKind, inputs: dict[str, str], target: str
) -> None:
    script.uses.add("support")
    node = script.program.flow.node(node_id)
    script.lines.append(f"# rows made in Python by Galilean's {kind.name}, as a run makes them")
    frames = "{" + ", ".join(f"{port!r}: {name}" for port, name in inputs.items()) + "}"
    script.lines.append(
        f"{target} = script_support.eager_rows(\n"
        f"    {kind.name!r}, {node.params!r}, {frames}, params\n)"
    )
    script.schemas[target] = eager_schema(script, node_id, kind)


def eager_schema(script: Script, node_id: str, kind: NodeKind) -> Schema | None:
    """A request's columns, from its sample (cheap, no I/O); other eager rows are known
    only when they are made."""
    if not kind.request_input:
        return None
    node = script.program.flow.node(node_id)
    rows = kind.produce(node.params, {}, CompileContext(params=script.ctx.params))
    frame = pl.from_arrow(rows)
    assert isinstance(frame, pl.DataFrame)
    return dict(frame.schema)


def failed_check(name: str) -> list[str]:
    return [f"    if {name} is None:  # it failed", f"        raise LookupError({name!r})"]


def write_tolerant(
    script: Script, node_id: str, kind: NodeKind, inputs: dict[str, str], target: str
) -> None:
    """A try node: its tolerant input's rows, or the other input's if making them fails."""
    tried = inputs[kind.tolerant]
    other = next(name for port, name in inputs.items() if port != kind.tolerant)
    script.lines += [
        "try:",
        *(failed_check(tried) if tried in script.guarded_names else []),
        f"    {target} = {tried}.lazy().collect().lazy()",
        f"except Exception:  # {kind.tolerant!r} failed: the other input's rows",
        f"    {target} = {other}.lazy()",
    ]
    script.schemas[target] = script.schemas.get(tried) or script.schemas.get(other)


def write_output(script: Script, node_id: str, action: Action) -> None:
    kind = script.kind(node_id)
    name = variable(script, node_id)
    node = script.program.flow.node(node_id)
    if action is Action.FILE:
        _, fmt = kind.file_target(node.params, script.ctx)
        path = path_code(node.params["path"])
        if "/" in str(node.params["path"]).rstrip("/"):
            script.uses.add("pathlib")
            script.lines.append(f"Path({path}).parent.mkdir(parents=True, exist_ok=True)")
        if fmt == "parquet":
            script.lines.append(f"{name}.sink_parquet({path})")
        else:
            script.uses.update(("duckdb", "csv"))
            script.lines.append(f"write_csv({name}, {path})")
    elif action is Action.WRITE:
        script.uses.add("support")
        script.lines.append(
            f"print(script_support.write_rows({kind.name!r}, {node.params!r}, {name}, params))"
        )
    else:
        script.lines.append(f"{name} = {name}.collect()")
        script.collected.add(name)
        script.lines.append(f"print({name})")
    script.lines.append("")
