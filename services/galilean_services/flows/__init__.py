"""The flow engine: `.flow` files, node kinds, validation, compilation to one relational
query, and execution on DuckDB. No web framework is imported here (import-linter checks)."""

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
