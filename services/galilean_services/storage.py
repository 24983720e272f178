"""Storage quotas: how much a user may keep, how much they keep, and what to delete.

A user's quota is, in this order: the size of a `galilean-quota-<size>` group they are in
(the usage dashboard puts them there: an admin's word for one person), else the largest
`galilean.storage_quota` property of their groups, else GALILEAN_STORAGE_QUOTA. A size is
what `galilean.mem_limit` takes ("20G", "500M", bytes); `none` means no quota.

What counts: embedded mode, everything under `<data>/users/<user>` (the home and the
named workspaces); docker mode, the user's workspace volumes (`galilean-<user>__<name>`)
and their shared folder on the host. Neither filesystem offers a quota the hub can set
for one folder or one volume, so at 100% the hub refuses to start a workspace and says
what is largest (galilean_hub/storage_quota.py); at WARN_AT JupyterLab warns. No web
framework here.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .limits import parse_bytes
from .sizes import files_under, readable_size

QUOTA_KEY = "galilean.storage_quota"
QUOTA_GROUP = "galilean-quota-"  # + a size: the dashboard's per-user quota
UNLIMITED = "none"
WARN_AT = 0.8
SHOWN = 5  # largest files and folders named in a refusal


def parse_quota(value: Any) -> int | None:
    """Bytes, or None for no quota; ValueError when it is neither."""
    text = str(value).strip()
    if text.lower() == UNLIMITED or text == "":
        return None
    size = parse_bytes(text)
    if size <= 0:
        raise ValueError(f"{text!r} is not a size above zero (or '{UNLIMITED}')")
    return size


def quota_group(size: str) -> str:
    """The group an admin's quota of `size` for one person is kept in."""
    return QUOTA_GROUP + size.strip().upper()


def user_quota(groups: Iterable[Any], default: int | None) -> int | None:
    """The quota of a user in `groups` (objects with `name` and `properties`): their
    `galilean-quota-*` group's, else their groups' largest, else `default`."""
    chosen: list[int | None] = []
    raised: list[int | None] = []
    for group in groups:
        properties = getattr(group, "properties", None) or {}
        if QUOTA_KEY not in properties:
            continue
        try:
            quota = parse_quota(properties[QUOTA_KEY])
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"group {group.name!r}: property {QUOTA_KEY} is not a size ({error})"
            ) from None
        (chosen if str(group.name).startswith(QUOTA_GROUP) else raised).append(quota)
    for found in (chosen, raised):
        if found:
            return None if None in found else max(q for q in found if q is not None)
    return default


@dataclass(frozen=True)
class Item:
    path: str  # as the user sees it: relative to the part it is in
    size: int


@dataclass
class Walk:
    """Files' total and the largest files and folders under one root."""

    total: int = 0
    files: list[Item] = field(default_factory=list)
    folders: list[Item] = field(default_factory=list)


def walk(root: Path, label: str, depth: int = 2) -> Walk:
    """Sizes under `root` (links not followed, unreadable parts skipped): the total, the
    SHOWN largest files, and the SHOWN largest folders down to `depth` levels, named
    `label/relative path`."""
    files: list[tuple[int, str]] = []
    folder_sizes: dict[str, int] = {}
    total = 0
    for parts, file_name, size in files_under(root):
        total += size
        name = "/".join((label, *parts, file_name))
        if len(files) < SHOWN:
            heapq.heappush(files, (size, name))
        elif size > files[0][0]:
            heapq.heapreplace(files, (size, name))
        for level in range(1, min(depth, len(parts)) + 1):
            key = "/".join((label, *parts[:level]))
            folder_sizes[key] = folder_sizes.get(key, 0) + size
    largest = heapq.nlargest(SHOWN, folder_sizes.items(), key=lambda kv: kv[1])
    return Walk(
        total,
        [Item(name, size) for size, name in sorted(files, reverse=True)],
        [Item(name, size) for name, size in largest],
    )


@dataclass(frozen=True)
class StorageUse:
    """A user's storage now: bytes per part (a workspace, the shared folder), the largest
    files and folders where the hub can see inside, and the quota."""

    user: str
    used: int
    quota: int | None
    parts: dict[str, int]
    files: list[Item]
    folders: list[Item]
    at: float

    @property
    def fraction(self) -> float | None:
        return None if not self.quota else self.used / self.quota

    @property
    def level(self) -> str:
        """'ok', 'warn' (WARN_AT or more) or 'full' (the quota reached)."""
        fraction = self.fraction
        if fraction is None or fraction < WARN_AT:
            return "ok"
        return "full" if fraction >= 1 else "warn"

    def summary(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "used": self.used,
            "quota": self.quota,
            "percent": None if self.fraction is None else round(self.fraction * 100, 1),
            "level": self.level,
            "parts": self.parts,
            "largest_files": [vars(item) for item in self.files],
            "largest_folders": [vars(item) for item in self.folders],
            "measured_at": self.at,
        }

    def refusal(self) -> str:
        """Why a workspace cannot start, and what to delete."""
        assert self.quota is not None
        lines = [
            f"Your files use {readable_size(self.used)} of your {readable_size(self.quota)} "
            "storage quota, so no workspace can start. Delete files (from a workspace that "
            "is still running) or ask an admin to raise your quota."
        ]
        big_parts = sorted(self.parts.items(), key=lambda kv: kv[1], reverse=True)[:SHOWN]
        lines.append("Largest parts: " + "; ".join(f"{n} {readable_size(s)}" for n, s in big_parts))
        if self.folders:
            lines.append(
                "Largest folders: "
                + "; ".join(f"{i.path} {readable_size(i.size)}" for i in self.folders)
            )
        if self.files:
            lines.append(
                "Largest files: "
                + "; ".join(f"{i.path} {readable_size(i.size)}" for i in self.files)
            )
        return "\n".join(lines)


def part_label(server: str) -> str:
    return f"workspace {server}" if server else "home"


def embedded_use(user_dir: Path) -> tuple[dict[str, int], list[Item], list[Item]]:
    """Embedded mode: the user's folder (`<data>/users/<user>`): its home and each named
    workspace, walked."""
    parts: dict[str, int] = {}
    files: list[Item] = []
    folders: list[Item] = []
    roots = [("home", user_dir / "home")]
    workspaces = user_dir / "workspaces"
    if workspaces.is_dir():
        roots += [(part_label(p.name), p) for p in sorted(workspaces.iterdir()) if p.is_dir()]
    for label, root in roots:
        found = walk(root, label.removeprefix("workspace "))
        parts[label] = found.total
        files += found.files
        folders += found.folders
    return parts, top(files), top(folders)


def docker_use(
    volumes: dict[str, int], prefix: str, shared: Path | None
) -> tuple[dict[str, int], list[Item], list[Item]]:
    """Docker mode: the user's volumes (`prefix` + workspace name, sizes as the engine
    counts them: the hub cannot look inside) and their shared folder, walked."""
    parts = {
        part_label(name.removeprefix(prefix)): size
        for name, size in sorted(volumes.items())
        if name.startswith(prefix)
    }
    if shared is None or not shared.is_dir():
        return parts, [], []
    found = walk(shared, "shared")
    parts["shared folder"] = found.total
    return parts, found.files, found.folders


def top(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda item: item.size, reverse=True)[:SHOWN]
