"""Resource limits an admin sets per group: group properties override the defaults.

An admin sets `galilean.mem_limit` (e.g. "4G") and `galilean.cpu_limit` (e.g. 2) in a
group's properties (admin panel → Groups, or `PUT /hub/api/groups/<name>/properties`
with the whole properties object: it replaces them). A user in several groups gets the
largest. For one user alone, make a group with just that user. Docker mode enforces them;
embedded mode cannot. The parsing is shared with the flows
service (galilean_services.limits).
"""

from __future__ import annotations

from typing import Any

from galilean_services.limits import group_limits


def apply_group_limits(spawner: Any) -> None:
    """Spawner.pre_spawn_hook: raise the spawner's limits to what the user's groups allow."""
    mem, cpu = group_limits(list(spawner.user.groups))
    if mem is not None:
        spawner.mem_limit = mem
    if cpu is not None:
        spawner.cpu_limit = cpu
    if mem is not None or cpu is not None:
        spawner.log.info(
            "limits for %s from group properties: mem=%s cpu=%s", spawner.user.name, mem, cpu
        )
