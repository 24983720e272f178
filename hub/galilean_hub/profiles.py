"""Resource profiles: named sizes (CPU, memory, GPUs) a user picks for a workspace.

Like zero-to-jupyterhub's `profileList`, but written in `stack.env`:

    GALILEAN_PROFILES=small: 1 cpu, 2G; medium: 2 cpu, 4G; gpu: 4 cpu, 16G, 1 gpu
    GALILEAN_DEFAULT_PROFILE=small

Everyone may use the default profile; a group's property `galilean.profiles` (a list of
names, or one comma-separated string) offers more to its members; admins may use all. A
group's `galilean.default_profile` replaces the default for its members: the usage
dashboard sets a user's profile so (a group `galilean-profile-<name>` per profile).
The choice is a workspace option (`profile`, kept in its user_options like the display
name): the spawn page and the home page's "New workspace" offer it when a user has more
than one, and a workspace started again keeps its profile while it is still offered
(otherwise it starts with the default, which is logged). Without profiles, limits come
from the defaults and the groups' `galilean.mem_limit` / `galilean.cpu_limit` (limits.py).
No web framework here but tornado's HTTPError, which JupyterHub shows as the message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tornado import web

from galilean_services.kit.settings import ConfigError
from galilean_services.limits import parse_bytes

PROFILE_FIELD = "profile"
GROUP_KEY = "galilean.profiles"
DEFAULT_KEY = "galilean.default_profile"
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
CPU_RE = re.compile(r"(\d+(?:\.\d+)?)\s*cpus?", re.IGNORECASE)
GPU_RE = re.compile(r"(\d+|all)\s*gpus?", re.IGNORECASE)
SPEC_HELP = (
    "write `name: N cpu, SIZE[, N gpu]` entries separated by ';', e.g. "
    "`small: 1 cpu, 2G; gpu: 4 cpu, 16G, 1 gpu` (a name: lowercase letters, digits, '-' "
    "or '_'; a size: 512M, 4G; gpu: a number or 'all')"
)
ALL_GPUS = -1


@dataclass(frozen=True)
class Profile:
    name: str
    cpu: float
    mem: int  # bytes
    gpus: int = 0  # ALL_GPUS: every GPU the engine has

    @property
    def label(self) -> str:
        """'2 CPU · 4 GB' (· 1 GPU)."""
        cpu = f"{self.cpu:g} CPU"
        gib = self.mem / 1024**3
        mem = f"{gib:g} GB" if gib >= 1 else f"{self.mem // 1024**2} MB"
        parts = [cpu, mem]
        if self.gpus:
            parts.append("all GPUs" if self.gpus == ALL_GPUS else f"{self.gpus} GPU")
        return " · ".join(parts)


def parse_profile(entry: str) -> Profile:
    name, colon, spec = entry.partition(":")
    name = name.strip()
    if not colon or not NAME_RE.fullmatch(name):
        raise ValueError(f"{entry.strip()!r} does not start with a profile name and ':'")
    cpu: float | None = None
    mem: int | None = None
    gpus = 0
    for token in (part.strip() for part in spec.split(",")):
        if match := CPU_RE.fullmatch(token):
            cpu = float(match.group(1))
        elif match := GPU_RE.fullmatch(token):
            gpus = ALL_GPUS if match.group(1).lower() == "all" else int(match.group(1))
        else:
            try:
                mem = parse_bytes(token)
            except ValueError:
                raise ValueError(
                    f"profile {name!r}: {token!r} is not 'N cpu', a size or 'N gpu'"
                ) from None
    if cpu is None or cpu <= 0 or mem is None or mem < 64 * 1024**2:
        raise ValueError(f"profile {name!r} needs a CPU count above 0 and a size of 64M or more")
    return Profile(name, cpu, mem, gpus)


class Profiles:
    """The profiles `stack.env` offers, and who may use which."""

    def __init__(self, profiles: list[Profile], default: str = "") -> None:
        self.all = profiles
        self.by_name = {profile.name: profile for profile in profiles}
        self.default = self.by_name[default] if default else (profiles[0] if profiles else None)

    @classmethod
    def from_settings(cls, text: str, default: str) -> Profiles:
        """Raises ConfigError naming GALILEAN_PROFILES or GALILEAN_DEFAULT_PROFILE."""
        profiles: list[Profile] = []
        for entry in (part for part in text.split(";") if part.strip()):
            try:
                profile = parse_profile(entry)
            except ValueError as error:
                raise ConfigError(f"GALILEAN_PROFILES: {error}; {SPEC_HELP}") from None
            if any(known.name == profile.name for known in profiles):
                raise ConfigError(f"GALILEAN_PROFILES names {profile.name!r} twice")
            profiles.append(profile)
        default = default.strip()
        if default and default not in {profile.name for profile in profiles}:
            raise ConfigError(
                f"GALILEAN_DEFAULT_PROFILE={default!r} is not one of GALILEAN_PROFILES "
                f"({', '.join(p.name for p in profiles) or 'none set'})"
            )
        return cls(profiles, default)

    def __bool__(self) -> bool:
        return bool(self.all)

    def allowed(self, user: Any) -> list[Profile]:
        """The profiles `user` may pick, in the configured order (the default first
        among equals: it is always there)."""
        if not self.all:
            return []
        if getattr(user, "admin", False):
            return list(self.all)
        default = self.default_for(user)
        names = {default.name} if default else set()
        for group in getattr(user, "groups", None) or []:
            names.update(group_profile_names(group))
        return [profile for profile in self.all if profile.name in names]

    def default_for(self, user: Any) -> Profile | None:
        """The user's default: one a group of theirs sets (galilean.default_profile, e.g.
        the usage dashboard's), else the hub's."""
        for group in getattr(user, "groups", None) or []:
            name = (getattr(group, "properties", None) or {}).get(DEFAULT_KEY)
            if isinstance(name, str) and name in self.by_name:
                return self.by_name[name]
        return self.default

    def check_choice(self, user: Any, value: object) -> Profile:
        """The profile `value` names, if `user` may use it (None: not known here; the
        start gives only what the user may use). HTTPError: 400 for a value that names no
        profile (the field named), 403 for one not offered to this user."""
        if not isinstance(value, str) or value not in self.by_name:
            known = ", ".join(p.name for p in self.all)
            raise web.HTTPError(400, f"{PROFILE_FIELD} must be one of: {known}")
        if user is None:
            return self.by_name[value]
        allowed = self.allowed(user)
        if value not in {p.name for p in allowed}:
            offered = ", ".join(p.name for p in allowed)
            raise web.HTTPError(
                403,
                f"{PROFILE_FIELD} {value!r} is not offered to you (yours: {offered}); an "
                "admin offers more through a group's galilean.profiles",
            )
        return self.by_name[value]

    def for_start(self, spawner: Any) -> Profile | None:
        """The profile a workspace starts with: its chosen one while still offered, else
        the default (logged)."""
        if not self.all:
            return None
        chosen, profile = self._pick(spawner, self.allowed(spawner.user))
        if chosen is not None and chosen != profile.name:
            spawner.log.warning(
                "profile %r of %s is not offered to %s: starting with %r",
                chosen,
                spawner._log_name,
                spawner.user.name,
                profile.name,
            )
        return profile

    def options_form(self, spawner: Any) -> str:
        """Spawner.options_form: a choice of profiles when there is one to make ('' skips
        the form: the spawn page starts at once)."""
        allowed = self.allowed(spawner.user)
        if len(allowed) < 2:
            return ""
        return profile_choices(allowed, self._pick(spawner, allowed)[1].name)

    def _pick(self, spawner: Any, allowed: list[Profile]) -> tuple[object, Profile]:
        """The workspace's chosen profile name (None if none) and the profile it gets."""
        chosen = (getattr(spawner, "user_options", None) or {}).get(PROFILE_FIELD)
        for profile in allowed:
            if profile.name == chosen:
                return chosen, profile
        default = self.default_for(spawner.user)
        return chosen, default if default in allowed else allowed[0]


def group_profile_names(group: Any) -> list[str]:
    """The names a group's `galilean.profiles` property offers (a list, or a string with
    commas); anything else offers nothing."""
    value = (getattr(group, "properties", None) or {}).get(GROUP_KEY)
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    if isinstance(value, list):
        return [name for name in value if isinstance(name, str)]
    return []


def profile_choices(profiles: Iterable[Profile], current: str) -> str:
    """The spawn page's radio list (escaped)."""
    rows = []
    for profile in profiles:
        name = html.escape(profile.name)
        checked = " checked" if profile.name == current else ""
        rows.append(
            '<div class="form-check mb-2">'
            f'<input class="form-check-input" type="radio" name="{PROFILE_FIELD}" '
            f'id="profile-{name}" value="{name}"{checked}>'
            f'<label class="form-check-label" for="profile-{name}">'
            f"<strong>{name}</strong> "
            f'<span class="text-muted">{html.escape(profile.label)}</span></label></div>'
        )
    return (
        '<fieldset class="galilean-profiles"><legend class="h5">Size</legend>'
        + "".join(rows)
        + "</fieldset>"
    )


def device_requests(gpus: int) -> list[dict[str, Any]]:
    """Docker's HostConfig.DeviceRequests for `gpus` GPUs (ALL_GPUS: all)."""
    if not gpus:
        return []
    return [{"count": gpus, "capabilities": [["gpu"]]}]  # docker-py's DeviceRequest
