"""The server extension's routes in-process with a pipeline designer (FlowsDesigner) over
a root folder: tests/extension_server.py's server, with the designer as a setting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from extension_server import Served, manager_for, serve

from galilean_server.flows_designer import FlowsDesigner
from galilean_server.handlers import DESIGNER


@contextmanager
def serve_designer(designer: FlowsDesigner, home: Path) -> Iterator[Served]:
    """The extension's routes with `designer`, at 127.0.0.1 on a free port."""
    try:
        with serve(manager_for(home), **{DESIGNER: lambda: designer}) as served:
            yield served
    finally:
        designer.executor.shutdown(wait=True)
