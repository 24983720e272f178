"""One interpreter of a planned flow's steps (plan.Action), whatever the engine: what a
step means is said once here; a Backend (DuckDB in runner.py, Polars in polars_runner.py)
only says how its engine makes, keeps and gives rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from .cache import ResultCache
from .issues import NodeError, NodeFailed, first_line
from .model import Node
from .net import HttpPolicy
from .paths import written_atomically
from .plan import Action, Program, Step
from .registry import CompileContext, NodeKind, Registry

OUTPUTS = (Action.FILE, Action.WRITE, Action.DISPLAY)


@dataclass
class RunResult:
    status: str  # succeeded | failed
    started: float
    ended: float
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)  # rows_in, rows_out
    outputs: dict[str, pa.Table] = field(default_factory=dict)  # display nodes
    error: dict[str, Any] | None = None  # {"node": id, "message": ...}
    logs: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # held results taken from the cache
    engine: str = "duckdb"  # duckdb | polars: which engine ran the flow
    trainings: list[Any] = field(default_factory=list)  # training.Training, for MLflow


@dataclass
class Services:
    """What a run may reach besides its files, set by whoever starts it."""

    http_policy: HttpPolicy | None = None  # where HTTP kinds may connect (None: anywhere)
    request: dict[str, Any] | None = None  # a published endpoint's request
    connections: Any = None  # the owner's SQL connections (connections.ConnectionStore)
    home: Path | None = None  # the owner's folder (None: the current user's)
    origin: dict[str, str] = field(default_factory=dict)  # this run: flow, version, run
    # What training nodes did (training.Training): the run's record for MLflow.
    trainings: list[Any] | None = None
    # The owner's secrets (secret_refs.SecretReader; None: none can be read).
    secrets: Any = None


class Backend(Protocol):
    """An engine's side of each step."""

    # What a failing step raises that the run handles (a node failing under a tolerant
    # input falls back; others fail the run); anything else propagates.
    errors: tuple[type[BaseException], ...]

    def input_ports(self, step: Step) -> list[str]: ...

    def before_outputs(self) -> None:
        """Called once, before the first step that gives rows out (file, write, display)."""

    def input_rows(self, step: Step, port: str) -> pa.Table:
        """An eager node's input, run."""

    def keep(self, step: Step, rows: pa.Table) -> None:
        """Hold rows made elsewhere (an eager node's, a cached result) as the node's."""

    def hold(self, step: Step, copy: bool) -> pa.Table | None:
        """Run and hold a blocking node's rows (with `copy`, also return them)."""

    def write_file(self, step: Step, partial: Path, fmt: str) -> None: ...

    def rows(self, step: Step) -> pa.Table:
        """The step's node's rows, run."""

    def blame(self, node_id: str, exc: BaseException) -> tuple[str, str]:
        """The node at fault for `exc` raised at `node_id`, and the user's message."""


def run_context(program: Program, services: Services) -> CompileContext:
    return dataclasses.replace(
        program.ctx,
        http_policy=services.http_policy,
        request=services.request,
        connections=services.connections,
        home=services.home,
        origin=dict(services.origin),
        trainings=services.trainings,
        secrets=services.secrets,
    )


class Interpreter:
    """Runs a program's steps on one backend, filling `result` (NodeFailed on failure)."""

    def __init__(
        self,
        program: Program,
        registry: Registry,
        backend: Backend,
        result: RunResult,
        ctx: CompileContext,
        cache: ResultCache | None = None,
    ) -> None:
        self.program, self.registry, self.backend = program, registry, backend
        self.result, self.ctx, self.cache = result, ctx, cache
        self.fell_back: set[str] = set()  # tolerant nodes whose tolerant side failed
        self.wrote = False  # a kind's `write` was called (what it did cannot be undone)
        self.actions: dict[Action, Callable[[Step, Node, NodeKind], None]] = {
            Action.EAGER: self.eager,
            Action.HOLD: self.hold,
            Action.FILE: self.file,
            Action.WRITE: self.write,
            Action.DISPLAY: self.display,
        }

    def run(self) -> None:
        outputs = False
        for step in self.program.steps:
            if step.action in OUTPUTS and not outputs:
                outputs = True
                self.backend.before_outputs()
            node = self.program.flow.node(step.node)
            self.ctx.node_id = node.id
            try:
                self.actions[step.action](step, node, self.registry.kind_of(node.kind))
            except self.backend.errors as exc:
                self.failed(node.id, exc)

    def failed(self, node_id: str, exc: BaseException) -> None:
        at, message = self.backend.blame(node_id, exc)
        guard = self.program.guarded.get(node_id)
        if guard is None:
            raise NodeFailed(at, message) from None
        self.fell_back.add(guard)
        self.result.logs.append(f"{node_id}: failed ({message}); {guard} falls back")

    def eager(self, step: Step, node: Node, kind: NodeKind) -> None:
        inputs = self.eager_inputs(step, kind.tolerant)
        self.ctx.node_id = node.id  # a backend may have built other nodes meanwhile
        out = kind.produce(node.params, inputs, self.ctx)
        self.backend.keep(step, out)
        rows_in = sum(t.num_rows for t in inputs.values())
        self.result.logs.append(f"{node.id}: {node.kind}, {rows_in} rows in, {out.num_rows} out")

    def eager_inputs(self, step: Step, tolerant: str) -> dict[str, pa.Table]:
        """An eager node's inputs; a tolerant input may fail, leaving it out."""
        ports = self.backend.input_ports(step)
        if tolerant and tolerant in ports and step.node not in self.fell_back:
            try:  # the other inputs are only the fallback: not computed when this works
                return {tolerant: self.backend.input_rows(step, tolerant)}
            except self.backend.errors as exc:
                self.result.logs.append(f"{step.node}: {tolerant} side failed ({first_line(exc)})")
                self.fell_back.add(step.node)
        inputs = {p: self.backend.input_rows(step, p) for p in ports if p != tolerant}
        if tolerant:
            self.result.logs.append(f"{step.node}: gave the fallback rows")
        return inputs

    def hold(self, step: Step, node: Node, kind: NodeKind) -> None:
        cache = self.cache if step.key else None
        held = cache.get(step.key) if cache is not None else None
        if held is not None:
            self.backend.keep(step, held)
            self.result.logs.append(f"{node.id}: reused {held.num_rows} rows (unchanged)")
            self.result.reused.append(node.id)
            return
        rows = self.backend.hold(step, copy=cache is not None)
        if cache is not None and rows is not None:
            cache.put(step.key, rows)

    def file(self, step: Step, node: Node, kind: NodeKind) -> None:
        target, fmt = kind.file_target(node.params, self.ctx)
        # Into the partial file itself, not a `tmp_<name>` beside it.
        with written_atomically(target, self.ctx.base_dir) as partial:
            self.backend.write_file(step, partial, fmt)
        self.result.logs.append(f"{node.id}: wrote {target.name}")

    def write(self, step: Step, node: Node, kind: NodeKind) -> None:
        rows = self.backend.rows(step)
        self.wrote = True
        self.result.logs.append(kind.write(node.params, rows, self.ctx))

    def display(self, step: Step, node: Node, kind: NodeKind) -> None:
        self.result.outputs[node.id] = self.backend.rows(step)


def user_message(exc: BaseException) -> str:
    """A NodeError's message is the user's; an engine's error, its first line."""
    return str(exc) if isinstance(exc, NodeError) else first_line(exc)
