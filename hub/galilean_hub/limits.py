"""A workspace's size at each start: its profile's, or the defaults raised by its groups.

With profiles (profiles.py) the profile a workspace starts with sets its memory, CPUs and,
in docker mode, GPUs. Without, an admin sets `galilean.mem_limit` (e.g. "4G") and
`galilean.cpu_limit` (e.g. 2) in a group's properties (admin panel → Groups, or
`PUT /hub/api/groups/<name>/properties` with the whole properties object: it replaces
them); a user in several groups gets the largest, which replaces the default. Groups'
limits also size the flows' runs and the datasets' workers (docker mode), with or without
profiles: the parsing is shared with the services
(galilean_services.limits). Docker enforces limits; embedded mode does through a control
group where the host allows one (cgroups.py).
"""

from __future__ import annotations

from typing import Any

from galilean_services.limits import group_limits

from .profiles import PROFILE_FIELD, Profiles, device_requests

BASE = "_galilean_base_limits"


class ServerSizer:
    """Spawner.pre_spawn_hook (or part of one): sets the spawner's limits for this start.
    Spawners are kept between starts, so each start begins from the configured
    defaults, remembered the first time."""

    def __init__(self, profiles: Profiles) -> None:
        self.profiles = profiles

    def __call__(self, spawner: Any) -> None:
        if not hasattr(spawner, BASE):
            setattr(spawner, BASE, (spawner.mem_limit, spawner.cpu_limit))
        mem, cpu = getattr(spawner, BASE)
        profile = self.profiles.for_start(spawner)
        if profile is not None:
            spawner.mem_limit, spawner.cpu_limit = profile.mem, profile.cpu
            # What it runs with, shown by the hub's API and pages (a new dict: the one
            # JupyterHub stores stays as the user asked).
            spawner.user_options = {**(spawner.user_options or {}), PROFILE_FIELD: profile.name}
            if hasattr(spawner, "extra_host_config"):  # docker mode: GPUs by device requests
                host = dict(spawner.extra_host_config or {})
                host.pop("device_requests", None)
                if profile.gpus:
                    host["device_requests"] = device_requests(profile.gpus)
                spawner.extra_host_config = host
            spawner.log.info(
                "%s starts with profile %r (%s)", spawner._log_name, profile.name, profile.label
            )
            return
        group_mem, group_cpu = group_limits(list(spawner.user.groups))
        spawner.mem_limit = mem if group_mem is None else group_mem
        spawner.cpu_limit = cpu if group_cpu is None else group_cpu
        if group_mem is not None or group_cpu is not None:
            spawner.log.info(
                "limits for %s from group properties: mem=%s cpu=%s",
                spawner.user.name,
                group_mem,
                group_cpu,
            )
