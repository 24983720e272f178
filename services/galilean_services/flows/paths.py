"""Files a flow may touch: only inside its own folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .issues import NodeError


def path_problem(path: Any, field: str = "path") -> list[tuple[str, str]]:
    """For validation: a path that plainly leaves the folder (a flow parameter is checked
    when the flow runs)."""
    if isinstance(path, str) and (Path(path).is_absolute() or ".." in Path(path).parts):
        return [(field, "use a path inside the flow's folder (no '/' start, no '..')")]
    return []


def inside(base_dir: Path, path: str) -> Path:
    """The file `path` names in the flow's folder, or NodeError."""
    full = (base_dir / path).resolve()
    if not full.is_relative_to(base_dir.resolve()):
        raise NodeError(f"path {path!r} leaves the flow's folder")
    return full
