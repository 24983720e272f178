"""The datasets `files` driver against DVC on the same folders, in one run: snapshot of
N small files, re-snapshot after a few changed, re-snapshot of many unchanged files, and
restore of N files into an emptied folder (plus a restore that differs in a few files).

Every operation runs in a fresh process, as a user's command would: Galilean's through
this script's `--op` mode (which also prints the seconds spent inside the operation),
DVC's as the `dvc` command (`dvc add` to snapshot, `dvc checkout` to restore) from its
own virtual environment under /tmp, made by this script when missing (pip install dvc).
The files are random bytes in 100 folders; the page cache is warm for both tools.

Usage: python bench/datasets_files.py [--files 20000] [--many 100000] [--changed 40]
       [--size 4096] [--no-dvc]
Writes bench/results/datasets_files.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "datasets_files.md"
DVC_VENV = Path(tempfile.gettempdir()) / "galilean-bench-dvc"
FOLDERS = 100


@dataclass
class Row:
    scenario: str
    files: int
    galilean_inside: float
    galilean_process: float
    dvc: float | None
    goal: str


def make_files(work: Path, count: int, size: int, seed: int) -> None:
    generator = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    for folder in range(FOLDERS):
        (work / f"class_{folder:02d}").mkdir(parents=True, exist_ok=True)
    for n in range(count):
        path = work / f"class_{n % FOLDERS:02d}" / f"img_{n:06d}.bin"
        path.write_bytes(generator.randbytes(size))


def change_files(work: Path, count: int, total: int, size: int) -> None:
    generator = random.Random(99)  # noqa: S311 - reproducible data, not secrets
    step = max(1, total // count)
    for n in range(0, step * count, step):
        path = work / f"class_{n % FOLDERS:02d}" / f"img_{n:06d}.bin"
        path.write_bytes(generator.randbytes(size))


def empty(work: Path) -> None:
    for child in work.iterdir():
        shutil.rmtree(child)


def galilean(op: str, work: Path, store: Path, *extra: str) -> tuple[float, float]:
    """(seconds inside the operation, seconds of the whole process)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--op", op, str(work), str(store), *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)["seconds"], time.perf_counter() - started


def run_op(op: str, work: Path, store: Path, extra: list[str]) -> None:
    sys.path.insert(0, str(REPO / "services"))
    from galilean_services.datasets.files import FilesDataset

    started = time.perf_counter()
    dataset = FilesDataset(work, store, restore_by="hardlink" if op == "link" else "copy")
    if op == "snapshot":
        dataset.snapshot("bench", "bench")
    else:  # restore (copies) or link (hardlinks)
        dataset.restore(int(extra[0]), "bench")
    seconds = time.perf_counter() - started
    hashed = len(dataset.last_scan.hashed) if dataset.last_scan else 0
    print(json.dumps({"seconds": seconds, "hashed": hashed}))


def dvc_ready() -> Path | None:
    dvc = DVC_VENV / "bin" / "dvc"
    if not dvc.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(DVC_VENV)], check=True)
            pip = [str(DVC_VENV / "bin" / "pip"), "install", "-q", "dvc"]
            subprocess.run(pip, check=True)
        except subprocess.CalledProcessError as error:
            print(f"DVC did not install: {error}", file=sys.stderr)
            return None
    return dvc


def dvc_run(dvc: Path, repo: Path, *arguments: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(dvc), *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**os.environ, "DVC_NO_ANALYTICS": "1"},
    )
    return time.perf_counter() - started


def dvc_repo(dvc: Path, repo: Path) -> None:
    dvc_run(dvc, repo, "init", "--no-scm", "-q")
    dvc_run(dvc, repo, "config", "core.analytics", "false")


def du(path: Path) -> int:
    return sum(
        (Path(folder) / name).lstat().st_size
        for folder, _dirs, names in os.walk(path)
        for name in names
    )


def os_copy(work: Path, root: Path) -> float:
    """Seconds for `cp -a` of the folder: the kernel's cost of creating those files, the
    floor for any restore by copy."""
    target = root / "cp-copy"
    started = time.perf_counter()
    subprocess.run(["cp", "-a", str(work), str(target)], check=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


def bench_small(root: Path, args: argparse.Namespace, dvc: Path | None) -> tuple[list[Row], float]:
    work, store = root / "small" / "data", root / "small-store"
    make_files(work, args.files, args.size, seed=1)
    first = galilean("snapshot", work, store)
    d_first = d_second = d_restore = None
    if dvc:
        dvc_repo(dvc, work.parent)
        d_first = dvc_run(dvc, work.parent, "add", "-q", "data")
    change_files(work, args.changed, args.files, args.size)
    second = galilean("snapshot", work, store)
    if dvc:
        d_second = dvc_run(dvc, work.parent, "add", "-q", "data")
    few = galilean("restore", work, store, "1")  # differs in the changed files
    galilean("restore", work, store, "2")
    empty(work)
    restore = galilean("restore", work, store, "2")
    copy_floor = os_copy(work, root)
    empty(work)
    linked = galilean("link", work, store, "2")
    if dvc:
        empty(work)
        d_restore = dvc_run(dvc, work.parent, "checkout", "-q", "data.dvc")
    n, c = args.files, args.changed
    return [
        Row(f"snapshot {n:,} new files", n, *first, d_first, "—"),
        Row(f"re-snapshot, {c} of {n:,} changed", n, *second, d_second, "≤ 1 s"),
        Row(f"restore {n:,} files into an empty folder", n, *restore, d_restore, "≤ 2 s"),
        Row("same, restore_by=hardlink", n, *linked, None, "≤ 2 s"),
        Row(f"restore a snapshot {c} files away", n, *few, None, "—"),
    ], copy_floor


def bench_many(root: Path, args: argparse.Namespace, dvc: Path | None) -> tuple[Row, str]:
    work, store = root / "many" / "data", root / "many-store"
    make_files(work, args.many, args.size, seed=2)
    galilean("snapshot", work, store)
    again = galilean("snapshot", work, store)
    d_again = None
    sizes = f"Galilean store {du(store) / 2**20:,.0f} MiB"
    if dvc:
        dvc_repo(dvc, work.parent)
        dvc_run(dvc, work.parent, "add", "-q", "data")
        d_again = dvc_run(dvc, work.parent, "add", "-q", "data")
        sizes += f", DVC cache {du(work.parent / '.dvc' / 'cache') / 2**20:,.0f} MiB"
    n = args.many
    return Row(f"re-snapshot {n:,} unchanged files", n, *again, d_again, "≤ 3 s"), sizes


def table(
    rows: list[Row],
    args: argparse.Namespace,
    sizes: str,
    dvc: bool,
    load_at_start: str,
    copy_floor: float,
) -> str:
    lines = [
        "# Datasets: the files driver and DVC",
        "",
        f"Files of {args.size:,} random bytes in {FOLDERS} folders; every operation in a "
        "fresh process (Galilean: `FilesDataset`, DVC: `dvc add` / `dvc checkout`, "
        'cache type reflink,copy — copy on this ext4). "inside": seconds within '
        'the operation, "process": the whole command, interpreter start included; '
        "the ratio compares whole processes. Store sizes after the "
        f"{args.many:,}-file snapshot: {sizes}. Load average (2 cores, shared with other "
        f"work) at the start: {load_at_start}, at the end: {os.getloadavg()[0]:.1f}. "
        f"`cp -a` of the restored {args.files:,} files took {copy_floor:.2f} s in this run: "
        "the kernel's cost of creating them, the floor for any restore by copy.",
        "",
        "| scenario | Galilean inside s | Galilean process s | DVC s | DVC / Galilean | goal |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        dvc_cell = f"{row.dvc:.2f}" if row.dvc is not None else "—"
        ratio = f"{row.dvc / row.galilean_process:.1f}x" if row.dvc is not None else "—"
        lines.append(
            f"| {row.scenario} | {row.galilean_inside:.2f} | {row.galilean_process:.2f} "
            f"| {dvc_cell} | {ratio} | {row.goal} |"
        )
    if not dvc:
        lines += ["", "DVC was not installed in this run."]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--op":
        run_op(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--many", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=40)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--no-dvc", action="store_true")
    args = parser.parse_args()
    dvc = None if args.no_dvc else dvc_ready()
    load_at_start = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="galilean-bench-datasets-") as folder:
        root = Path(folder)
        rows, copy_floor = bench_small(root, args, dvc)
        many, sizes = bench_many(root, args, dvc)
    report = table(
        [*rows[:2], many, *rows[2:]], args, sizes, dvc is not None, load_at_start, copy_floor
    )
    RESULTS.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
