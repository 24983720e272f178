"""Sampling strategies in a registry: each has a name, a JSON Schema of its parameters and
a `draw` that, given a snapshot's table as SQL (`SampleSource`: a FROM clause on a DuckDB
connection, its columns), returns the SELECT of the rows to keep. The rows stay in DuckDB
until the sample is written (sampling_derive.py). Galilean's own strategies
(`sampling_builtin.py`: random, stratified, threshold) and third parties' register through
the `galilean.samplers` entry point: a callable given the registry."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import duckdb

from galilean_services.datasets.locate import store_of
from galilean_services.datasets.model import Invalid
from galilean_services.datasets.tables_lake import ident

ENTRY_POINT_GROUP = "galilean.samplers"
BUILTIN = "galilean_services.datasets.sampling_builtin:register_builtin"
_numbering = itertools.count(1)


@dataclass
class SampleSource:
    """One table of one snapshot: `relation` is a FROM item for `connection` (a subquery,
    which takes an alias); `columns` its (name → DuckDB type). Temp tables a strategy
    makes are dropped by `close()`."""

    connection: duckdb.DuckDBPyConnection
    relation: str
    columns: dict[str, str]
    temps: list[str] = field(default_factory=list)

    def column(self, name: object, param: str) -> str:
        """`name` quoted for SQL, or Invalid naming the parameter that gave it."""
        if not isinstance(name, str) or name not in self.columns:
            known = ", ".join(self.columns)
            raise Invalid(
                f"params.{param}: no column {name!r} (the table has {known})",
                field=f"params.{param}",
                item=str(name),
            )
        return ident(name)

    def temp_table(self, select: str, parameters: list[Any] | None = None) -> str:
        name = f"galilean_sample_{next(_numbering)}"
        self.connection.execute(f"CREATE TEMP TABLE {name} AS {select}", parameters or [])
        self.temps.append(name)
        return name

    def close(self) -> None:
        for name in self.temps:
            self.connection.execute(f"DROP TABLE IF EXISTS {name}")
        self.temps.clear()


Draw = Callable[[SampleSource, Mapping[str, Any]], str]


@dataclass(frozen=True)
class Sampler:
    name: str
    title: str
    schema: Mapping[str, Any]
    draw: Draw

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "schema": dict(self.schema)}


class SamplerRegistry:
    def __init__(self) -> None:
        self._samplers: dict[str, Sampler] = {}

    def register(self, sampler: Sampler) -> None:
        if sampler.name in self._samplers:
            raise ValueError(f"a sampling strategy {sampler.name!r} is already registered")
        self._samplers[sampler.name] = sampler

    def get(self, name: object) -> Sampler:
        if not isinstance(name, str) or name not in self._samplers:
            known = ", ".join(sorted(self._samplers))
            raise Invalid(f"strategy {name!r}: one of {known}", field="strategy")
        return self._samplers[name]

    def names(self) -> list[str]:
        return sorted(self._samplers)

    def __iter__(self) -> Iterator[Sampler]:
        return iter(self._samplers[name] for name in self.names())


_default: SamplerRegistry | None = None


def default_registry() -> SamplerRegistry:
    """Every strategy installed: Galilean's own and third parties', by entry points."""
    global _default
    if _default is None:
        registry = SamplerRegistry()
        points = list(entry_points(group=ENTRY_POINT_GROUP))
        if all(point.value != BUILTIN for point in points):  # a source tree without metadata
            from galilean_services.datasets.sampling_builtin import register_builtin

            register_builtin(registry)
        for point in points:
            point.load()(registry)
        _default = registry
    return _default


def forget_registry() -> None:
    """Read the entry points again on the next `default_registry()`."""
    global _default
    _default = None


def register_sampler(sampler: Sampler) -> None:
    """Add a strategy to the registry every part of Galilean asks (in this process)."""
    default_registry().register(sampler)


def check_params(sampler: Sampler, params: object) -> dict[str, Any]:
    """`params` by the strategy's schema; Invalid names the first wrong parameter."""
    import jsonschema  # slow to import: only when a sample is asked for

    if not isinstance(params, dict):
        raise Invalid("params: an object of the strategy's parameters", field="params")
    validator = jsonschema.Draft202012Validator(sampler.schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(params))
    if error is not None:
        path = ".".join(str(part) for part in error.absolute_path)
        if not path and error.validator == "required":
            path = str(error.message).split("'")[1]
        if not path and error.validator == "additionalProperties":
            path = sorted(set(params) - set(sampler.schema.get("properties", {})))[0]
        named = f"params.{path}" if path else "params"
        raise Invalid(f"{named}: {error.message}", field=named)
    return params


def check_known_fields(body: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    """Invalid naming the first field of `body` a sample request does not have."""
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise Invalid(f"{unknown[0]}: not a field of a sample request", field=unknown[0])


def check_draw(
    body: Mapping[str, Any], registry: SamplerRegistry | None = None
) -> tuple[int | None, str, dict[str, Any], str]:
    """What every sample request says, checked in this order, each refusal naming its
    field: (snapshot or None for the head, strategy, params, the new dataset's name)."""
    snapshot = body.get("snapshot")
    if snapshot is not None and (
        isinstance(snapshot, bool) or not isinstance(snapshot, int) or snapshot < 1
    ):
        raise Invalid("snapshot: a snapshot number (1 or more)", field="snapshot")
    sampler = (registry or default_registry()).get(body.get("strategy"))
    params = check_params(sampler, body.get("params", {}))
    into = body.get("into")
    store_of(Path("."), into if isinstance(into, str) else "", field="into")
    assert isinstance(into, str)
    return snapshot, sampler.name, params, into
