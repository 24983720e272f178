"""Memory sizes as the settings and the CLI write them, DuckDB's way: a number and a unit,
1000-based (KB, MB, GB, TB) or 1024-based (KiB, MiB, GiB, TiB). Standard library only: the
user's server checks its setting at start without loading an engine."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

UNITS = {
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
SMALLEST = 32 * 2**20  # below this no engine runs anything


def parse_size(text: str) -> int:
    """Bytes in `text` (`2GB`, `512MiB`, `1.5 GB`); ValueError saying what is wrong."""
    match = SIZE.match(text)
    if match is None:
        raise ValueError("Memory must have a number and a unit, e.g. 2GB or 512MiB")
    number, unit = match.groups()
    factor = UNITS.get(unit.lower())
    if factor is None:
        raise ValueError(
            f"Unknown unit for memory: {unit.lower() or 'none'!r} "
            "(use KB, MB, GB, TB, KiB, MiB, GiB or TiB)"
        )
    size = int(float(number) * factor)
    if size < SMALLEST:
        raise ValueError(f"Memory must be at least {SMALLEST // 2**20}MiB")
    return size


def size_problem(text: str) -> str | None:
    """Why `text` is not a memory budget, or None."""
    try:
        parse_size(text)
    except ValueError as exc:
        return str(exc)
    return None


def readable_size(value: float) -> str:
    """Bytes as people read them, 1024-based: `512 B`, `3.2 MB`, `1.5 GB`."""
    number = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if number < 1024:
            return f"{number:.0f} {unit}" if unit in ("B", "KB") else f"{number:.1f} {unit}"
        number /= 1024
    return f"{number:.1f} TB"


def files_under(root: Path) -> Iterator[tuple[tuple[str, ...], str, int]]:
    """Each regular file under `root` as (its folders' names below root, its name, its
    size): links are not followed, unreadable parts are skipped."""
    stack: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while stack:
        folder, parts = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), (*parts, entry.name)))
                elif entry.is_file(follow_symlinks=False):
                    yield parts, entry.name, entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
