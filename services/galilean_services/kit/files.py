"""Files written whole or not at all: the bytes go to a temporary file beside the target,
which is then renamed over it, so a crash leaves the old file or the new one, never half
of one. No web framework here."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(target: Path, data: bytes, prefix: str = ".tmp-") -> None:
    """`data` as the whole of `target` (its folder made if missing); the temporary file,
    named with `prefix` in the same folder, is removed if anything fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=prefix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
