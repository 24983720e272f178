"""The usage service's settings group (section "usage" of stack.env.example)."""

from __future__ import annotations

from pathlib import Path

from traitlets import Int, Unicode

from ..kit.settings import SettingsGroup, env


class UsageSettings(SettingsGroup):
    usage_port = Int(
        8086, help="Port of the usage dashboard (behind the proxy at /services/usage)."
    ).tag(**env("GALILEAN_USAGE_PORT", "usage"))
    usage_every_seconds = Int(
        30, help="How often the running workspaces' CPU and memory are measured (seconds)."
    ).tag(**env("GALILEAN_USAGE_EVERY_SECONDS", "usage"))
    usage_disk_every = Int(
        10,
        help="Measure the workspaces' disk every this many measurements (it walks their "
        "files, or asks Docker for its volumes' sizes).",
    ).tag(**env("GALILEAN_USAGE_DISK_EVERY", "usage"))
    usage_retention_hours = Int(48, help="Hours the measurements and culling events are kept.").tag(
        **env("GALILEAN_USAGE_RETENTION_HOURS", "usage")
    )
    usage_db_url = Unicode(
        "",
        help="Database of the measurements, events and pins (empty: the hub's PostgreSQL "
        "when it has one, else var/usage.sqlite).",
    ).tag(**env("GALILEAN_USAGE_DB_URL", "usage", secret=True))

    def usage_database_url(self, hub_db_url: str, data: Path) -> str:
        if self.usage_db_url:
            return self.usage_db_url
        if hub_db_url.startswith("postgresql"):
            return hub_db_url
        return f"sqlite:///{data / 'usage.sqlite'}"
