"""What each tool in the user image adds to a server's start: JupyterLab's server with
every extension the hub starts it with (the AI chat's deferred ones off, as the hub does),
against the same with one tool's server extensions off, interleaved in one run, median of
N starts each. A start is the process launched until `/api/status` answers.

A tool the hub defers (marimo's) is measured here as if loaded at start: what deferring saves.
The tools' browser side is not in this number: JupyterLab loads a federated extension's
code when the page starts, in parallel, and the page's own wait (lab-ready, seconds in
Chromium) is what tests/browser/test_browser_tools.py shows.

Usage: python bench/spawn_tools.py [--runs 7]
Writes bench/results/spawn_tools.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "hub"))

from galilean_hub.config import DEFERRED_EXTENSIONS  # noqa: E402
from harness.processes import pick_port  # noqa: E402

# A tool: the server extensions it brings (both off to measure it).
TOOLS = {
    "jupyterlab-git": ("jupyterlab_git",),
    "jupyterlab-code-formatter": ("jupyterlab_code_formatter",),
    "marimo (jupyter-server-proxy + marimo-jupyter-extension)": (
        "jupyter_server_proxy",
        "marimo_jupyter_extension.handlers",
    ),
    "language server (jupyter-lsp)": ("jupyter_lsp",),
}
ALL = "all tools"
# Off in every variant: the AI chat's extensions, which the hub defers (measured in issue 17).
# The tools' are measured loaded at start, as they would be without the hub's deferral.
TOOL_EXTENSIONS = {name for names in TOOLS.values() for name in names}
LATER = [name for name in DEFERRED_EXTENSIONS if name not in TOOL_EXTENSIONS]
TOKEN = secrets.token_hex(16)  # the servers' token, this run only


def start_seconds(root: Path, off: tuple[str, ...]) -> float:
    port = pick_port()
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        *(f"--ServerApp.jpserver_extensions={name}=False" for name in LATER),
        *(f"--ServerApp.jpserver_extensions={name}=False" for name in off),
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    started = time.monotonic()
    server = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "HOME": str(root)},
    )
    try:
        deadline = started + 120
        while time.monotonic() < deadline:
            try:
                reply = requests.get(
                    f"http://127.0.0.1:{port}/api/status",
                    headers={"Authorization": f"token {TOKEN}"},
                    timeout=2,
                )
                if reply.status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            if server.poll() is not None:
                _, err = server.communicate()
                raise RuntimeError(f"the server exited with {off}: {err.decode()[-2000:]}")
            time.sleep(0.05)
        raise TimeoutError(f"no answer in 120 s with {off}")
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    variants: dict[str, tuple[str, ...]] = {ALL: ()}
    variants.update({f"without {tool}": names for tool, names in TOOLS.items()})
    timings: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="galilean-bench-tools-") as tmp:
        start_seconds(Path(tmp), ())  # warm the disk cache: the first start reads everything
        for run in range(options.runs):
            for name, off in variants.items():
                seconds = start_seconds(Path(tmp), off)
                timings[name].append(seconds)
                print(f"run {run + 1} {name}: {seconds:.2f} s", flush=True)
    base = statistics.median(timings[ALL])
    lines = [
        "# What each tool adds to a server's start",
        "",
        f"Median of {options.runs} interleaved starts of JupyterLab's server (launch until "
        "/api/status answers) with the hub's arguments, same machine, same run. "
        "'adds' is the start with every tool minus the start without this one. "
        "Tools loaded at start here; the hub defers what adds more than a second "
        "(galilean_server/deferred_extensions.py: "
        f"{', '.join(sorted(TOOL_EXTENSIONS & set(DEFERRED_EXTENSIONS)))}), "
        "so a workspace's start does not pay it.",
        "",
        "| variant | median s | min s | max s | adds s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, values in timings.items():
        median = statistics.median(values)
        adds = "" if name == ALL else f"{base - median:+.2f}"
        lines.append(f"| {name} | {median:.2f} | {min(values):.2f} | {max(values):.2f} | {adds} |")
    out = REPO / "bench" / "results" / "spawn_tools.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
