"""The flow engine: `.flow` files (model.py), node kinds known only through their
registry (registry.py; Galilean's own in kinds/), validation (validate.py), a plan of
steps (plan.py) compiled to relational queries (compiler.py), and one interpreter of the
steps (interpret.py) on Polars (polars_runner.py) when every node has a Polars form, else
on DuckDB (runner.py). No web framework is imported here (import-linter checks)."""

from .issues import Issue
from .model import FLOW_VERSION, Edge, Flow, FlowFileError, FlowParam, Node, dump_flow, parse_flow
from .registry import NodeKind, Registry, default_registry
from .validate import validate

__all__ = [
    "FLOW_VERSION",
    "Edge",
    "Flow",
    "FlowFileError",
    "FlowParam",
    "Issue",
    "Node",
    "NodeKind",
    "Registry",
    "default_registry",
    "dump_flow",
    "parse_flow",
    "validate",
]
