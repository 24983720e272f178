"""Node kinds and the registry they join. Built-in kinds register exactly as a third-party
package would: a module whose `register(registry)` the `galilean.flow_kinds` entry point
names (see `default_registry`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

import polars as pl
import pyarrow as pa
from sqlglot import exp

from .net import HttpPolicy
from .polars_expr import NoPolarsForm, Schema

Columns = list[str] | None  # None: not known before running


@dataclass
class CompileContext:
    """What a kind may use while compiling: parameter values and where files live."""

    params: dict[str, Any] = field(default_factory=dict)
    base_dir: Path = field(default_factory=Path.cwd)
    # The inputs' columns where known before running, and the node being compiled
    # (both set per node by the compiler).
    upstream: dict[str, Columns] = field(default_factory=dict)
    node_id: str = ""
    # Nodes whose rows the runner already holds in a table (node id → table name).
    materialized: dict[str, str] = field(default_factory=dict)
    # Where HTTP kinds may connect (None: anywhere this process can; the service sets one).
    http_policy: HttpPolicy | None = None
    # The request of a published endpoint (query parameters and JSON body), if any.
    request: dict[str, Any] | None = None
    # The owner's named SQL connections (a connections.ConnectionStore; None: the
    # current user's, from the home folder).
    connections: Any = None
    # Polars forms: also count the input's rows, in a column of this name (the runner's
    # row counts; only kinds that see every input row, such as an aggregation, offer it).
    count_rows_as: str = ""
    # The owner's folder (where their datasets live; None: the current user's) and what
    # this run is ({"flow", "version", "run"}), for what a run records (dataset snapshots).
    home: Path | None = None
    origin: dict[str, str] = field(default_factory=dict)
    # What training nodes did (training.Training), for the service to log to MLflow; None:
    # not recorded (previews).
    trainings: list[Any] | None = None
    # The owner's secrets, for `{"$secret": name}` values (secret_refs.SecretReader; None:
    # no vault here, such a value fails its node).
    secrets: Any = None


class NodeKind:
    """One kind of node. Subclasses set the class attributes and implement `compile`."""

    name: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[str]  # source | transform | destination | control
    inputs: ClassVar[tuple[str, ...]] = ("in",)
    # Output ports; a kind with several (a branch) says what each gives in `output`.
    outputs: ClassVar[tuple[str, ...]] = ("out",)
    params_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    # Eager kinds make their rows in Python before the query runs (user code, a
    # spreadsheet, a remote API): the runner calls `produce` and holds the result.
    eager: ClassVar[bool] = False
    # What else the engine needs to know of a kind (it names no kind itself):
    # Blocking kinds see all their input before giving a row (an aggregation, a window,
    # a sort): held in a table when several targets need them (made once).
    blocking: ClassVar[bool] = False
    # Blocking kinds that summarize their input into far fewer rows (an aggregation, a
    # pivot): the last on each way is held, the result a run keeps for a rerun after an
    # edit further on (and its row count, made as it is held).
    summarizes: ClassVar[bool] = False
    # An input port whose failure at run time means "give the other inputs' rows", not a
    # failed run (a try node's `try`); nodes only that port needs may fail. "": none.
    tolerant: ClassVar[str] = ""
    # Destinations whose rows the engine streams to a file itself (DuckDB's COPY, a
    # Polars sink), at the place `file_target` gives, rather than through `write`.
    file_sink: ClassVar[bool] = False
    # Rows that depend on the parameters alone (inline data): a published endpoint makes
    # them once, when they name no `$param`.
    constant: ClassVar[bool] = False
    # Reads the caller's request (a published endpoint's body): its failure is the
    # caller's to fix (HTTP 400), not the flow's.
    request_input: ClassVar[bool] = False
    # Runs the user's own code: such a flow never gets the network.
    user_code: ClassVar[bool] = False

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        """Output columns when they can be known without running; else None."""
        return upstream.get("in") if len(self.inputs) == 1 else None

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        """Problems beyond the parameter schema, as (parameter path, message)."""
        return []

    def probe(self, params: dict[str, Any], ctx: CompileContext) -> Columns:
        """Output columns read from the data itself without running the flow (a file's
        header), when `columns` cannot tell; None when they cannot be known."""
        return None

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        raise NotImplementedError

    def output(
        self, params: dict[str, Any], port: str, node: exp.Table, ctx: CompileContext
    ) -> exp.Query:
        """The rows of output `port`, from the node's own rows `node`."""
        return exp.select("*").from_(node)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        """The node's rows as a Polars lazy frame, meaning exactly what `compile` means;
        raise NoPolarsForm where that cannot be promised (the flow then runs on DuckDB)."""
        raise NoPolarsForm(self.name)

    def lazy_output(
        self, params: dict[str, Any], port: str, node: pl.LazyFrame, ctx: CompileContext
    ) -> pl.LazyFrame:
        """Polars form of `output`."""
        return node

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        """`lazy` written as Python code, for the flow's Polars script (polars_script.py):
        an expression over the input frames, whose variable names `inputs` gives by port
        (`schemas`: their columns and types). None where no code is written (the script
        runs the node on DuckDB); raise NoPolarsForm where `lazy` would."""
        return None

    def same_rows(self, params: dict[str, Any]) -> bool:
        """True when the node gives exactly one row per row of its one input (its row
        count then needs no counting)."""
        return False

    def faster_on_duckdb(self, params: dict[str, Any]) -> bool:
        """DuckDB runs this node clearly faster than Polars on rows not yet summarized
        (a window ordered within each partition): engine_choice.py weighs it."""
        return False

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        """Eager kinds: the node's rows (raise NodeError with a message for the user)."""
        raise NotImplementedError

    def write(self, params: dict[str, Any], table: pa.Table, ctx: CompileContext) -> str:
        """Destinations that write in Python: write `table`, return a line for the log."""
        raise NotImplementedError

    def file_target(self, params: dict[str, Any], ctx: CompileContext) -> tuple[Path, str]:
        """`file_sink` kinds: the file to write and its format (csv | parquet)."""
        raise NotImplementedError

    writes: ClassVar[bool] = False
    # False for kinds whose rows can change while their parameters do not (remote data,
    # user code): results downstream of them are never reused between runs.
    cacheable: ClassVar[bool] = True

    def fingerprint(self, params: dict[str, Any], ctx: CompileContext) -> str:
        """What identifies the data this node reads besides its parameters (files: size
        and modification time), for the result cache."""
        return ""

    def describe(self) -> dict[str, Any]:
        """What the designer needs to render the node and its form."""
        return {
            "kind": self.name,
            "title": self.title,
            "category": self.category,
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "params_schema": self.params_schema,
        }


class EagerKind(NodeKind):
    """A kind whose rows Python makes (`produce`); the runner holds them in a table, so
    there is nothing to compile."""

    eager = True

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        raise NotImplementedError("eager: the runner holds this node's rows")


class Registry:
    def __init__(self) -> None:
        self._kinds: dict[str, NodeKind] = {}

    def register(self, kind: NodeKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"node kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> NodeKind | None:
        return self._kinds.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._kinds

    def names(self, where: Callable[[NodeKind], bool] | None = None) -> list[str]:
        """Every kind's name, or those of the kinds `where` holds for (`lambda k:
        k.user_code`): what a caller asks instead of naming kinds."""
        return sorted(n for n, kind in self._kinds.items() if where is None or where(kind))

    def kind_of(self, name: str) -> NodeKind:
        """The kind of a node in a validated flow (KeyError for an unknown one)."""
        return self._kinds[name]

    def catalogue(self) -> list[dict[str, Any]]:
        return [self._kinds[name].describe() for name in self.names()]


ENTRY_POINT_GROUP = "galilean.flow_kinds"
BUILTIN = "galilean_services.flows.kinds:register_builtin"
_default: Registry | None = None


def default_registry() -> Registry:
    """Every kind installed: Galilean's own and third parties', through entry points."""
    global _default
    if _default is None:
        registry = Registry()
        points = list(entry_points(group=ENTRY_POINT_GROUP))
        for point in points:
            point.load()(registry)
        if all(p.value != BUILTIN for p in points):  # a source tree without metadata
            from .kinds import register_builtin

            register_builtin(registry)
        _default = registry
    return _default
