"""One memory budget for a run, whichever engine runs it.

A budget is what the whole process may use (`--memory-limit 2GB`, the service's
GALILEAN_FLOWS_MEMORY_LIMIT). The engine's own memory manager gets a share of it — DuckDB's
`memory_limit`, Polars's out-of-core budget (its streaming engine spills pipeline breakers:
group-by, join builds, sorts) — and both spill what does not fit into a folder of their own;
the rest is for Python, the Arrow results the run hands on and the result cache's copy in
memory. Sizes are written as DuckDB writes them: a number and a unit, 1000-based (KB, MB,
GB, TB) or 1024-based (KiB, MiB, GiB, TiB).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..sizes import parse_size

ENGINE_SHARE = 0.7  # of the budget for the engine's buffers; the rest is the process's own
CACHE_SHARE = 0.1  # of the budget for the result cache's copy in memory
POLARS_BUDGET = "POLARS_OOC_MEMORY_BUDGET_MB"
POLARS_SPILL = "POLARS_OOC_SPILL_DIR"


@dataclass(frozen=True)
class Budget:
    """What a run's process may use, and where its engines spill."""

    total: int
    spill_root: Path | None = None  # None: the system's temporary folder

    @classmethod
    def of(cls, text: str, spill_root: Path | None = None) -> Budget | None:
        """The budget `text` names (raises ValueError), None for no text."""
        return cls(parse_size(text), spill_root) if text else None

    @property
    def engine_bytes(self) -> int:
        return int(self.total * ENGINE_SHARE)

    @property
    def cache_bytes(self) -> int:
        return int(self.total * CACHE_SHARE)

    def duckdb_limit(self) -> str:
        """The engine's share, as DuckDB's memory_limit setting."""
        return f"{self.engine_bytes // 2**20}MiB"

    def spill_folder(self) -> str:
        """A new folder to spill into, removed when the process ends."""
        return spill_folder(self.spill_root)


def use_for_polars(budget: Budget | None) -> None:
    """Give Polars's streaming engine the budget's share (or no limit): it reads the
    setting from its environment, reloaded here, so it holds for the next query."""
    import polars as pl

    environment: dict[str, str | None] = {POLARS_BUDGET: None, POLARS_SPILL: None}
    if budget is not None:
        environment[POLARS_BUDGET] = str(budget.engine_bytes // 2**20)
        environment[POLARS_SPILL] = _polars_folder(budget.spill_root)
    if all(os.environ.get(k) == v for k, v in environment.items()):
        return
    pl.Config.load(json.dumps({"environment": environment}))  # sets and reloads


def spill_folder(root: Path | None = None) -> str:
    """A new folder for one engine's spilled data, inside a folder of this process's
    (under `root`, else the system's temporary folder) that is removed when it ends."""
    key = str(root) if root is not None else ""
    if key not in _roots:
        try:
            if root is not None:
                root.mkdir(parents=True, exist_ok=True)
            _roots[key] = tempfile.mkdtemp(prefix="galilean-spill-", dir=root)
        except OSError:  # a folder this account may not write: the temporary folder
            _roots[key] = tempfile.mkdtemp(prefix="galilean-spill-")
        atexit.register(shutil.rmtree, _roots[key], True)
    return tempfile.mkdtemp(dir=_roots[key])


def _polars_folder(root: Path | None) -> str:
    """Polars's one spill folder in this process (its setting is process-wide)."""
    key = str(root) if root is not None else ""
    if key not in _polars:
        _polars[key] = spill_folder(root)
    return _polars[key]


_roots: dict[str, str] = {}
_polars: dict[str, str] = {}
