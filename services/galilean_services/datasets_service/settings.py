"""The datasets service's settings group (section "datasets" of stack.env.example): the
hub's `Settings` composes it, the service reads it from the environment the hub gives it."""

from __future__ import annotations

from pathlib import Path

from traitlets import Enum, Int, Unicode

from ..folders import user_template
from ..kit.settings import SettingsGroup, env


class DatasetsSettings(SettingsGroup):
    datasets_port = Int(
        8083, help="Port of the datasets service (behind the proxy at /services/datasets)."
    ).tag(**env("GALILEAN_DATASETS_PORT", "datasets"))
    datasets_db_url = Unicode(
        "",
        help="SQLAlchemy URL of the datasets service's database (which datasets exist, their "
        "owners and groups). Empty: the hub's database when GALILEAN_DB_URL is set (its tables "
        "start with galilean_), else datasets.sqlite in the data folder.",
    ).tag(**env("GALILEAN_DATASETS_DB_URL", "datasets", secret=True))
    datasets_files_root = Unicode(
        "",
        help="Folder holding a user's datasets (their files and snapshot stores), with {user} "
        "in it. Empty: the user's folder, as for flows (GALILEAN_FLOWS_FILES_ROOT).",
    ).tag(**env("GALILEAN_DATASETS_FILES_ROOT", "datasets"))
    datasets_isolation = Enum(
        ["auto", "bubblewrap", "none"],
        "auto",
        help="Embedded mode: where dataset operations execute. bubblewrap: as their owner in "
        "a sandbox that sees only the owner's folder; auto: bubblewrap when it works here, "
        "else none with a warning; none: as the service's own account.",
    ).tag(**env("GALILEAN_DATASETS_ISOLATION", "datasets"))
    datasets_operation_timeout = Int(
        3600, help="Seconds one dataset operation (a snapshot, a restore, an export) may take."
    ).tag(**env("GALILEAN_DATASETS_OPERATION_TIMEOUT", "datasets"))

    def datasets_files_template(self, mode: str, data: Path, shared_dir: str) -> str:
        return self.datasets_files_root or user_template(mode, data, shared_dir)

    def datasets_database_url(self, hub_db_url: str, data: Path) -> str:
        return self.datasets_db_url or hub_db_url or f"sqlite:///{data / 'datasets.sqlite'}"
