"""A problem found in a flow, naming what is at fault so the designer can highlight it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issue:
    code: str  # cycle, unknown-kind, param, missing-input, unknown-column, duplicate-id, ...
    message: str
    node: str | None = None
    edge: str | None = None
    nodes: tuple[str, ...] = field(default=())  # several nodes (a cycle)
    path: str = ""  # where in the node's parameters or the file

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["nodes"] = list(self.nodes)
        return {k: v for k, v in data.items() if v not in (None, "", [])}


class FlowInvalid(Exception):
    """Raised by the runner for a flow with problems; carries all of them."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        first = issues[0].message if issues else "invalid flow"
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(first + more)


class NodeError(ValueError):
    """A node could not produce its rows (a file, a remote API, user code); the message is
    for the user and names no secret."""


class NodeFailed(Exception):
    """A run failed at a node: its id and the message for the user."""

    def __init__(self, node: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def first_line(exc: BaseException) -> str:
    """An engine's error in one line (the rest is context the user does not need)."""
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
