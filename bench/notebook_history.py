"""What version history costs on a 5 MB notebook shaped like users' (code cells with PNG
plots, DataFrame HTML tables and printed text): a save through jupyter_server's
FileContentsManager with Galilean's history hooks and without, when a version is kept
and when the interval keeps none; a clearing save (the version kept before it); the disk
a version takes; nbdime's diff behind *Compare with now* (one cell edited); and what users
would do otherwise, in the same run: JupyterLab's own checkpoint (a copy) and a git commit;
and the time to render its read-only view (nbconvert, as the Publish button does).

Usage: python bench/notebook_history.py [--repeat 7] [--megabytes 5]
Writes bench/results/notebook_history.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "extensions"))
sys.path.insert(0, str(REPO / "services"))

from jupyter_server.services.contents.filemanager import FileContentsManager  # noqa: E402
from nbformat.sign import MemorySignatureStore, NotebookNotary  # noqa: E402

from galilean_server.history_hooks import HistoryHooks  # noqa: E402
from galilean_server.notebook_history import Limits, NotebookHistory  # noqa: E402

NB = "analysis.ipynb"


def png_like(size: int, rng: random.Random) -> str:
    """Base64 of `size` bytes that compress like a PNG's (random: PNGs are compressed)."""
    return base64.b64encode(rng.randbytes(size)).decode()


def user_notebook(megabytes: float, seed: int = 0) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 (a benchmark's data)
    cells: list[dict[str, Any]] = []
    target = megabytes * 1024 * 1024
    total = 0
    n = 0
    while total < target:
        n += 1
        source = f"df{n} = sales[sales.region == 'r{n}'].groupby('month').sum()\ndf{n}.plot()"
        outputs: list[dict[str, Any]] = []
        if n % 3 == 0:
            image = png_like(90_000, rng)
            outputs.append(
                {
                    "output_type": "display_data",
                    "data": {"image/png": image, "text/plain": "<Figure size 640x480>"},
                    "metadata": {},
                }
            )
            total += len(image)
        elif n % 3 == 1:
            rows = "".join(
                f"<tr><td>{i}</td><td>{rng.random():.4f}</td><td>city {i}</td></tr>"
                for i in range(60)
            )
            html = f"<table class='dataframe'><tbody>{rows}</tbody></table>"
            outputs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": n,
                    "data": {"text/html": html, "text/plain": "   month  total\n..."},
                    "metadata": {},
                }
            )
            total += len(html)
        else:
            text = "\n".join(f"step {i}: loss {rng.random():.5f}" for i in range(80))
            outputs.append({"output_type": "stream", "name": "stdout", "text": text})
            total += len(text)
        cells.append(
            {
                "cell_type": "code",
                "execution_count": n,
                "id": f"cell-{n}",
                "metadata": {},
                "outputs": outputs,
                "source": source,
            }
        )
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def manager(root: Path, hooks: HistoryHooks | None) -> FileContentsManager:
    contents = FileContentsManager(root_dir=str(root))
    contents.notary = NotebookNotary(store_factory=MemorySignatureStore)
    if hooks is not None:
        hooks.contents_manager = contents
        contents.register_pre_save_hook(hooks.pre_save)
        contents.register_post_save_hook(hooks.post_save)
    return contents


def median_ms(work: Callable[[int], None], repeat: int) -> float:
    times = []
    for i in range(repeat):
        began = time.perf_counter()
        work(i)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def edited(content: dict[str, Any], i: int) -> dict[str, Any]:
    copy = json.loads(json.dumps(content))
    copy["cells"][i % len(copy["cells"])]["source"] += f"\n# edit {i}"
    return copy


def model(content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "notebook", "format": "json", "content": content}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args()
    content = user_notebook(args.megabytes)
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for folder in ("plain", "kept", "throttled", "git"):
            (base / folder).mkdir()

        plain = manager(base / "plain", None)
        plain.save(model(content), NB)
        size = (base / "plain" / NB).stat().st_size
        plain_ms = median_ms(lambda i: plain.save(model(edited(content, i)), NB), args.repeat)
        rows.append(("save, no history (jupyter_server alone)", plain_ms))

        every = NotebookHistory(base / "kept", Limits(min_interval_seconds=0.0))
        kept_hooks = HistoryHooks(every, "alice", None)
        kept = manager(base / "kept", kept_hooks)
        kept.save(model(content), NB)
        kept_ms = median_ms(lambda i: kept.save(model(edited(content, i)), NB), args.repeat)
        rows.append(("save + a version kept (Galilean)", kept_ms))

        throttled_hooks = HistoryHooks(NotebookHistory(base / "throttled"), "alice", None)
        throttled = manager(base / "throttled", throttled_hooks)
        throttled.save(model(content), NB)
        throttled_ms = median_ms(
            lambda i: throttled.save(model(edited(content, i)), NB), args.repeat
        )
        rows.append(("save within the interval, no version kept (Galilean)", throttled_ms))

        clear_times: list[float] = []

        def clearing(i: int) -> None:
            throttled.save(model(edited(content, i)), NB)
            began = time.perf_counter()
            throttled.save(model({**content, "cells": []}), NB)
            clear_times.append((time.perf_counter() - began) * 1000)

        for i in range(args.repeat):
            clearing(i + 100)
        cleared_ms = statistics.median(clear_times)
        rows.append(("a clearing save + the version before it (Galilean)", cleared_ms))

        checkpoint_ms = median_ms(lambda i: plain.create_checkpoint(NB), args.repeat)
        rows.append(("JupyterLab's checkpoint (a copy), after a save", checkpoint_ms))

        repo = base / "git"
        who = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@x"}
        env = {**os.environ, **who, "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@x"}
        subprocess.run(["git", "init", "-q", str(repo)], check=True)

        def commit(i: int) -> None:
            (repo / NB).write_text(json.dumps(edited(content, i)))
            subprocess.run(["git", "-C", str(repo), "add", NB], check=True, env=env)
            subprocess.run(["git", "-C", str(repo), "commit", "-qm", f"v{i}"], check=True, env=env)

        git_ms = median_ms(commit, args.repeat)
        rows.append(("git add + commit of the notebook", git_ms))

        snapshots = every.listing(NB)
        disk = sum(p.stat().st_size for p in every.folder_of(NB).iterdir())
        per_version = disk / max(len(snapshots), 1)
        git_disk = sum(p.stat().st_size for p in (repo / ".git").rglob("*") if p.is_file())

        import nbformat
        from nbdime.diffing.notebooks import diff_notebooks

        a = nbformat.reads(json.dumps(content), as_version=4)
        b = nbformat.reads(json.dumps(edited(content, 3)), as_version=4)
        diff_ms = median_ms(lambda i: diff_notebooks(a, b), 3)

        from galilean_server.publish import render

        render(a, False)  # nbconvert's imports and templates, once per server
        view_ms = median_ms(lambda i: render(a, i % 2 == 1), 4)
        view_bytes = len(render(a, False).encode())

    out = REPO / "bench" / "results" / "notebook_history.md"
    lines = [
        "# Notebook version history: cost on a user-shaped notebook",
        "",
        f"Notebook: {len(content['cells'])} code cells, {size / 1048576:.1f} MB on disk "
        "(PNG plots, DataFrame HTML tables, printed text); saves through jupyter_server's "
        f"FileContentsManager, one cell edited per save; median of {args.repeat}. "
        f"Python {sys.version.split()[0]}, this machine (2 cores).",
        "",
        "| what | ms | vs a plain save |",
        "|---|---:|---:|",
    ]
    for name, ms in rows:
        lines.append(f"| {name} | {ms:.0f} | {ms / plain_ms:.2f} |")
    lines += [
        "",
        f"- Disk per kept version: {per_version / 1048576:.2f} MB (the notebook's bytes, "
        f"uncompressed; {len(snapshots)} versions with the index: {disk / 1048576:.1f} MB). "
        f"git's store after {args.repeat} commits: {git_disk / 1048576:.1f} MB (zlib-compressed "
        "objects).",
        f"- nbdime's diff behind *Compare* (one cell edited): {diff_ms:.0f} ms.",
        f"- Rendering its read-only view (nbconvert, JupyterLab's look, code shown or "
        f"hidden): {view_ms:.0f} ms once nbconvert is loaded; the page is "
        f"{view_bytes / 1048576:.1f} MB.",
        "",
    ]
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
