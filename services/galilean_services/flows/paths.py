"""Files a flow may touch: only inside its own folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .issues import NodeError
from .sql import resolve

if TYPE_CHECKING:
    from .registry import CompileContext


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


def flow_file(ctx: CompileContext, raw: Any) -> Path:
    """The file a node's `path` parameter (maybe a flow parameter) names, in the folder."""
    return inside(ctx.base_dir, str(resolve(raw, ctx.params)))


@contextmanager
def written_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary name beside `target`; it becomes `target` only if the writing
    succeeded, so a reader never sees a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        yield partial
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def file_identity(ctx: CompileContext, raw: Any) -> str:
    """Size and modification time of the files a path names (globs too), for the result
    cache: rewriting an input changes it."""
    path = flow_file(ctx, raw)
    matches = sorted(path.parent.glob(path.name)) if any(c in path.name for c in "*?[") else [path]
    parts = []
    for match in matches:
        try:
            info = match.stat()
        except OSError:
            parts.append(f"{match.name}:missing")
            continue
        parts.append(f"{match.name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(parts)
