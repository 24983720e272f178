"""A ydata-profiling report of a table, computed in a child process.

ydata-profiling cannot be stopped from outside while it computes, and a thread cannot be
killed: the report is computed by `python -m galilean_server.kernel.table_profile` on a
pickled copy of the frame (or of a stated sample for large frames), so a cancel
terminates that process. Its progress bars (tqdm, on stderr) are read and passed on as
the phase and the percentage done. The report is written as `.partial.html` and renamed
when complete.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .table_query import TableError

PROFILE_SAMPLE = 100_000
STEP = re.compile(r"([A-Z][A-Za-z ]+?):\s+(\d+)%")


class ProfileCancelled(Exception):
    pass


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Index levels as columns (unless pandas' own row numbers), string column names."""
    from .table_query import Flat

    flat = Flat(frame)
    names: list[str] = []
    for column in flat.index + flat.columns:
        name = column["name"] or ("index" if column["id"].startswith("i") else column["id"])
        while name in names:
            name += "_"
        names.append(name)
    return flat.frame.set_axis(names, axis=1)


def profile(
    frame: pd.DataFrame,
    folder: Path,
    name: str,
    progress: Callable[[str, int | None], None],
    cancelled: threading.Event,
) -> dict[str, Any]:
    sample = frame if len(frame) <= PROFILE_SAMPLE else frame.sample(PROFILE_SAMPLE, random_state=0)
    sampled = len(sample) != len(frame)
    title = (
        f"a random sample of {len(sample):,} of {len(frame):,} rows"
        if sampled
        else f"{len(frame):,} rows"
    )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.html"
    partial = folder / f"{name}.partial.html"
    with tempfile.TemporaryDirectory(prefix="galilean-profile-") as tmp:
        data = Path(tmp) / "frame.pickle"
        plain(sample).to_pickle(data)
        command = [
            sys.executable,
            "-m",
            "galilean_server.kernel.table_profile",
            str(data),
            str(partial),
            "--title",
            f"Profile of {title}",
        ]
        if sampled:
            command.append("--minimal")
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        watcher = threading.Thread(target=_stop_on_cancel, args=(child, cancelled), daemon=True)
        watcher.start()
        tail = _read_progress(child, progress)
        code = child.wait()
        cancelled_now = cancelled.is_set()
        cancelled.set()  # ends the watcher
        watcher.join()
    try:
        if cancelled_now:
            raise ProfileCancelled
        if code != 0:
            raise TableError(f"profile failed: {tail or f'exit status {code}'}")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return {"path": str(target), "sampled": sampled, "rows": len(sample)}


def _stop_on_cancel(child: subprocess.Popen[bytes], cancelled: threading.Event) -> None:
    cancelled.wait()
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()


def _read_progress(
    child: subprocess.Popen[bytes], progress: Callable[[str, int | None], None]
) -> str:
    """Pass tqdm's lines on as (phase, percent); returns the last other line (an error)."""
    assert child.stderr is not None
    buffer, last, tail = b"", ("", -1), ""
    while chunk := child.stderr.read1(4096):  # type: ignore[attr-defined]
        buffer += chunk
        *lines, buffer = re.split(rb"[\r\n]", buffer)
        for raw in lines:
            line = raw.decode(errors="replace").strip()
            found = STEP.search(line)
            if found:
                step = (found.group(1).strip(), int(found.group(2)))
                if step != last:
                    last = step
                    progress(*step)
            elif line:
                tail = line[-300:]
    return tail


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a ydata-profiling report.")
    parser.add_argument("data")
    parser.add_argument("target")
    parser.add_argument("--title", default="Profile")
    parser.add_argument("--minimal", action="store_true")
    options = parser.parse_args()
    print("Loading ydata-profiling: 0%", file=sys.stderr, flush=True)  # its import takes seconds
    import warnings

    from ydata_profiling import ProfileReport

    warnings.simplefilter("ignore")
    frame = pd.read_pickle(options.data)  # noqa: S301 - written by the kernel just now
    report = ProfileReport(frame, title=options.title, minimal=options.minimal, progress_bar=True)
    report.to_file(options.target, silent=True)


if __name__ == "__main__":
    main()
