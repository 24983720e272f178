"""Files a flow may touch: only inside its own folder.

Every path a flow names (a parameter may give it) is resolved, symlinks followed, and
refused when it leaves the folder; a glob is expanded here and each file it matches is
checked the same way, so an engine is handed files, never a pattern it would expand
itself. Writes never follow a symlink (see `written_atomically`). Errors name the path
as the flow gave it, never where a link points.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .issues import NodeError
from .sql import resolve

if TYPE_CHECKING:
    from .registry import CompileContext

GLOB_CHARS = frozenset("*?[")


def path_problem(path: Any, field: str = "path") -> list[tuple[str, str]]:
    """For validation: a path that plainly leaves the folder (a flow parameter is checked
    when the flow runs)."""
    if isinstance(path, str) and (Path(path).is_absolute() or ".." in Path(path).parts):
        return [(field, "use a path inside the flow's folder (no '/' start, no '..')")]
    return []


def is_glob(path: str) -> bool:
    return any(c in GLOB_CHARS for c in path)


def inside(base_dir: Path, path: str) -> Path:
    """The file `path` names in the flow's folder (symlinks followed), or NodeError. A glob
    stays a pattern, but every file it matches must be in the folder too."""
    folder = base_dir.resolve()
    full = (base_dir / path).resolve()
    if not full.is_relative_to(folder):
        raise NodeError(f"path {path!r} leaves the flow's folder")
    if is_glob(path):
        matches(base_dir, path)
    return full


def matches(base_dir: Path, path: str) -> list[Path]:
    """The files `path` names in the flow's folder, resolved: the one file (which may not
    exist), or a glob's matches in sorted order; NodeError when any leaves the folder
    (naming the path, or the match as it appears in the folder: not the link's target)."""
    folder = base_dir.resolve()
    if not is_glob(path):
        return [inside(base_dir, path)]
    pattern = (base_dir / path).resolve()  # lexically inside (`inside` checks it first)
    if not pattern.is_relative_to(folder):
        raise NodeError(f"path {path!r} leaves the flow's folder")
    found = []
    for match in sorted(glob.glob(str(pattern), recursive=True, include_hidden=True)):
        real = Path(match).resolve()
        if not real.is_relative_to(folder):
            shown = os.path.relpath(match, folder)
            raise NodeError(f"path {path!r}: {shown!r} leaves the flow's folder")
        found.append(real)
    return found


def flow_file(ctx: CompileContext, raw: Any) -> Path:
    """The file a node's `path` parameter (maybe a flow parameter) names, in the folder."""
    return inside(ctx.base_dir, str(resolve(raw, ctx.params)))


def flow_files(ctx: CompileContext, raw: Any) -> list[Path]:
    """The files a node's `path` parameter names (a glob expanded), resolved and checked:
    what a reader should open, rather than the pattern."""
    return matches(ctx.base_dir, str(resolve(raw, ctx.params)))


def _real_folder(parent: Path, folder: Path | None) -> Path:
    """`parent` made (as needed) and checked: no component of it is a symlink, and with
    `folder`, it is inside `folder`. Callers pass a resolved target (`flow_file`), so a
    link found here appeared since, or leads out."""
    parent = Path(os.path.abspath(parent))
    if folder is not None and not parent.is_relative_to(folder.resolve()):
        raise NodeError(f"cannot write in {parent.name!r}: it leaves the flow's folder")
    current = Path(parent.anchor)
    for part in parent.parts[1:]:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            os.mkdir(current)  # never follows: a link planted meanwhile makes it fail
            info = os.lstat(current)
        if stat.S_ISLNK(info.st_mode):
            raise NodeError(f"cannot write through {part!r}: it is a symlink")
        if not stat.S_ISDIR(info.st_mode):
            raise NodeError(f"cannot write in {part!r}: it is not a folder")
    return parent


def _remove(path: Path) -> None:
    """Remove a file or a symlink (never what it points to)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        raise NodeError(f"cannot write: {path.name!r} is a folder") from None


# Set by a service run's worker (`run-<id>`): its partial files are `<name>.<tag>.partial`,
# so the service can remove exactly the ones a killed run left, and no one else's.
PARTIAL_TAG = ""


def partial_name(name: str, tag: str = "") -> str:
    tag = tag or PARTIAL_TAG
    return f"{name}.{tag}.partial" if tag else f"{name}.partial"


@contextmanager
def written_atomically(target: Path, folder: Path | None = None) -> Iterator[Path]:
    """Yield a temporary name beside `target` (`<name>.partial`); it becomes `target` only
    if the writing succeeded, so a reader never sees a half-written file, and no partial
    file is left when it fails.

    Nothing is followed: a stale or planted partial is removed (a link, not what it
    points to) and the partial file is created afresh, exclusively and not through a
    link, before the writer opens it; the target's folder must contain no symlink (and be
    inside `folder` when given); replacing a target that is a symlink replaces the link.
    """
    parent = _real_folder(target.parent, folder)
    partial = parent / partial_name(target.name)
    # DuckDB's COPY to an existing file writes `tmp_<name>` first, then renames it.
    beside = parent / ("tmp_" + partial.name)
    for stale in (partial, beside):
        _remove(stale)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    os.close(os.open(partial, flags, 0o666))
    replaced = False
    try:
        yield partial
        if not stat.S_ISREG(os.lstat(partial).st_mode):
            raise NodeError(f"cannot write {target.name!r}: its partial file was replaced")
        os.replace(partial, parent / target.name)
        replaced = True
    finally:
        if not replaced:
            for stale in (partial, beside):
                with suppress(NodeError):
                    _remove(stale)


def file_identity(ctx: CompileContext, raw: Any) -> str:
    """Size and modification time of the files a path names (globs too), for the result
    cache: rewriting an input changes it. A path that leaves the folder is not looked at
    (reading it fails with the reason)."""
    try:
        files = flow_files(ctx, raw)
    except NodeError:
        return "refused"
    parts = []
    for match in files:
        try:
            info = match.stat()
        except OSError:
            parts.append(f"{match.name}:missing")
            continue
        parts.append(f"{match.name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(parts)
