"""The `tarfile` backups use: the standard library's where it has extraction filters
(`data_filter`, `TarInfo.replace`: Python 3.11.4 and later), else the same module from
`backports.tarfile` — Debian bookworm's Python, the hub image's, is 3.11.2."""

from __future__ import annotations

import tarfile as _standard

if hasattr(_standard, "data_filter"):
    tarfile = _standard
else:  # pragma: no cover - run in the hub image (tests/compose checks it there)
    from backports import tarfile  # type: ignore[no-redef]

__all__ = ["tarfile"]
