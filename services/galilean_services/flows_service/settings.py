"""The flows service's settings group (section "flows" of stack.env.example): the hub's
`Settings` composes it, the service reads it from the environment the hub gives it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from traitlets import Enum, Float, Int, List, TraitError, Unicode, validate

from ..folders import user_template
from ..kit.settings import SettingsGroup, env
from ..sizes import size_problem


class FlowsSettings(SettingsGroup):
    flows_port = Int(
        8082, help="Port of the flows service (behind the proxy at /services/flows)."
    ).tag(**env("GALILEAN_FLOWS_PORT", "flows"))
    flows_db_url = Unicode(
        "",
        help="SQLAlchemy URL of the flows service's database (flows, versions, runs). Empty: "
        "the hub's database when GALILEAN_DB_URL is set (its tables start with galilean_), "
        "else flows.sqlite in the data folder.",
    ).tag(**env("GALILEAN_FLOWS_DB_URL", "flows", secret=True))
    flows_files_root = Unicode(
        "",
        help="Folder where a user's flows read and write files, with {user} in it. Empty: the "
        "user's folder: <data folder>/users/{user}/home in embedded mode (the default "
        "workspace's home), GALILEAN_DOCKER_SHARED_DIR/{user} in docker mode (mounted at "
        "/home/jovyan/shared in every workspace).",
    ).tag(**env("GALILEAN_FLOWS_FILES_ROOT", "flows"))
    flows_run_timeout = Int(3600, help="Seconds a flow run may take before it is stopped.").tag(
        **env("GALILEAN_FLOWS_RUN_TIMEOUT", "flows")
    )
    flows_max_parallel_runs = Int(2, help="Runs executing at once; more wait, queued.").tag(
        **env("GALILEAN_FLOWS_MAX_PARALLEL_RUNS", "flows")
    )
    flows_endpoint_timeout = Int(
        60, help="Seconds a call to a published flow endpoint may take (then 504)."
    ).tag(**env("GALILEAN_FLOWS_ENDPOINT_TIMEOUT", "flows"))
    flows_endpoint_workers = Int(
        8,
        help="Published endpoints kept warm at once: each has a worker process (about "
        "150-250 MB) holding its compiled plans; the least recently used idle one makes room.",
    ).tag(**env("GALILEAN_FLOWS_ENDPOINT_WORKERS", "flows"))
    flows_endpoint_concurrency = Int(
        1,
        help="Calls of one endpoint executing at once (one worker process each); more wait. "
        "Endpoints never wait for one another.",
    ).tag(**env("GALILEAN_FLOWS_ENDPOINT_CONCURRENCY", "flows"))
    flows_endpoint_idle_seconds = Int(
        600, help="Seconds an endpoint's worker stays warm without being called."
    ).tag(**env("GALILEAN_FLOWS_ENDPOINT_IDLE_SECONDS", "flows"))
    flows_schedule_check_seconds = Float(
        15, help="How often the service looks for scheduled flows that are due."
    ).tag(**env("GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS", "flows"))
    flows_memory_limit = Unicode(
        "2GB",
        help="Memory a run or an endpoint call may use, on either engine (each spills to "
        "disk beyond its share of it).",
    ).tag(**env("GALILEAN_FLOWS_MEMORY_LIMIT", "flows"))
    flows_engine = Enum(
        ["auto", "polars", "duckdb"],
        "auto",
        help="Engine of the service's runs: auto runs a flow on Polars when every node has a "
        "Polars form (faster on one machine) unless DuckDB is clearly faster for it (ordered "
        "windows over rows not yet summarized), else on DuckDB; polars: Polars whenever it "
        "can; duckdb: always DuckDB.",
    ).tag(**env("GALILEAN_FLOWS_ENGINE", "flows"))
    flows_isolation = Enum(
        ["auto", "bubblewrap", "none"],
        "auto",
        help="Embedded mode: where flow runs and endpoints execute. bubblewrap: as their "
        "owner in a sandbox that sees only the owner's folder (Debian package bubblewrap; "
        "the hub refuses to start without it); auto: bubblewrap when it works here, else "
        "none with a warning; none: as the service's own account (for people who trust "
        "each other).",
    ).tag(**env("GALILEAN_FLOWS_ISOLATION", "flows"))
    flows_network = Enum(
        ["none", "allowed"],
        "none",
        help="Whether isolated flows reach the network: none (no network at all, unless "
        "GALILEAN_FLOWS_HTTP_ALLOW lists hosts) or allowed (public addresses, and the private "
        "ones the allow-list names; checked on the address actually connected to).",
    ).tag(**env("GALILEAN_FLOWS_NETWORK", "flows"))
    flows_max_processes = Int(
        512,
        help="Processes and threads one run or endpoint worker may have (a cgroup, where "
        "the machine allows): a fork loop stops there.",
    ).tag(**env("GALILEAN_FLOWS_MAX_PROCESSES", "flows"))
    flows_python_max_memory_mb = Int(
        2048,
        help="The most memory (MB) a Python node may use; a flow may ask for less, never more.",
    ).tag(**env("GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB", "flows"))
    flows_python_max_seconds = Int(
        300, help="The most seconds a Python node may run; a flow may ask for less, never more."
    ).tag(**env("GALILEAN_FLOWS_PYTHON_MAX_SECONDS", "flows"))
    flows_http_allow = List(
        Unicode(),
        default_value=[],
        help="Comma-separated hosts (or host:port, IP, IP:port) on a private network that "
        "flows run by the service may reach, over HTTP or as a database server: private, "
        "loopback and link-local addresses (the hub, cloud metadata, your LAN) only when "
        "listed here, checked on the address actually connected to. A non-empty list gives "
        "runs the network, as GALILEAN_FLOWS_NETWORK=allowed does; public addresses are then "
        "reachable too.",
    ).tag(**env("GALILEAN_FLOWS_HTTP_ALLOW", "flows"))

    def files_template(self, mode: str, data: Path, shared_dir: str) -> str:
        """Where a user's flows find their files, with {user} in it: the setting, else the
        user's folder (folders.user_template)."""
        return self.flows_files_root or user_template(mode, data, shared_dir)

    @validate("flows_memory_limit")
    def _a_size(self, proposal: Any) -> str:
        problem = size_problem(proposal["value"])
        if problem is not None:
            raise TraitError(problem)
        return str(proposal["value"])

    def database_url(self, hub_db_url: str, data: Path) -> str:
        """The setting, else the hub's database, else flows.sqlite in the data folder."""
        return self.flows_db_url or hub_db_url or f"sqlite:///{data / 'flows.sqlite'}"
