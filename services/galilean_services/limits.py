"""Resource limits an admin sets per group: group properties override the defaults.

An admin sets `galilean.mem_limit` (e.g. "4G") and `galilean.cpu_limit` (e.g. 2) in a
group's properties (admin panel → Groups, or `PUT /hub/api/groups/<name>/properties`
with the whole properties object: it replaces them). A user in several groups gets the
largest. The hub applies them to a user's containers; the flows service to the
containers that run the user's flows (docker mode). No web framework here.
"""

from __future__ import annotations

from typing import Any

MEM_KEY = "galilean.mem_limit"
CPU_KEY = "galilean.cpu_limit"
UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_bytes(value: Any) -> int:
    """'512M', '2G', '1.5G' or a number of bytes."""
    text = str(value).strip().upper().removesuffix("B")
    if text and text[-1] in UNITS:
        return int(float(text[:-1]) * UNITS[text[-1]])
    return int(float(text))


def group_limits(groups: list[Any]) -> tuple[int | None, float | None]:
    """The largest memory (bytes) and CPU limits found in the groups' properties."""
    mems: list[int] = []
    cpus: list[float] = []
    for group in groups:
        properties = getattr(group, "properties", None) or {}
        try:
            if MEM_KEY in properties:
                mems.append(parse_bytes(properties[MEM_KEY]))
            if CPU_KEY in properties:
                cpus.append(float(properties[CPU_KEY]))
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"group {group.name!r}: property {MEM_KEY} or {CPU_KEY} is not a size or "
                f"a number ({exc})"
            ) from None
    return (max(mems) if mems else None, max(cpus) if cpus else None)
