"""What a user's server sets up when it starts: the `galilean` command on PATH (its
kernels inherit the server's environment; its terminals' login shells are told to keep
it), and the examples copied into the user's folder: the example flows in
`examples/flows/`, the trainer templates for `experiments.run` in `examples/experiments/`.

The examples are copied file by file, only where absent, and each file once: a file the
user changed is never overwritten, and one they deleted does not come back (the folder
remembers what it was given in `.galilean-examples.json`)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp

SHIPPED = Path(__file__).with_name("examples") / "flows"
TARGET = Path("examples") / "flows"
TRAINERS = Path(__file__).with_name("examples") / "experiments"
TRAINERS_TARGET = Path("examples") / "experiments"
LEDGER = ".galilean-examples.json"
LOGIN_SHELLS = {"sh", "bash", "dash", "zsh", "ksh"}
log = logging.getLogger("galilean_server")


def cli_on_path(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """Put the folder of this Python's scripts (where `galilean` is installed) first on
    PATH unless PATH already finds that very command; returns the folder added, if any."""
    scripts = Path(sys.executable).parent  # a venv's bin (not resolved: that leaves it)
    command = scripts / "galilean"
    if not command.is_file():
        return None
    current = environ.get("PATH", "")
    found = shutil.which("galilean", path=current)
    if found and Path(found).parent == scripts:
        return None
    environ["PATH"] = os.pathsep.join([str(scripts), *([current] if current else [])])
    return str(scripts)


def copy_examples(root: Path, shipped: Path = SHIPPED, into: Path = TARGET) -> list[str]:
    """Copy the shipped examples into `root`/`into` (examples/flows), each file that is
    absent and was never given before; returns the names copied."""
    target = root / into
    ledger = target / LEDGER
    try:
        given = set(json.loads(ledger.read_text()))
    except (OSError, ValueError, TypeError):
        given = set()
    copied = []
    for source in sorted(p for p in shipped.iterdir() if p.is_file()):
        destination = target / source.name
        if source.name in given or destination.exists() or destination.is_symlink():
            continue
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        copied.append(source.name)
    if copied:
        ledger.write_text(json.dumps(sorted(given | set(copied)), indent=1) + "\n")
    return copied


def login_shell_keeps(scripts: str, settings: dict[str, Any]) -> None:
    """JupyterLab's terminals run a login shell, and a login shell's /etc/profile sets
    PATH afresh: the folder added to PATH would be lost there. Unless the server was
    told which shell to run, run the user's shell as a login shell that puts the folder
    back in front and becomes the interactive shell (which reads ~/.bashrc as usual)."""
    if settings.get("shell_command") is not None or os.name == "nt":
        return
    shell = os.environ.get("SHELL") or shutil.which("sh") or "/bin/sh"
    if Path(shell).name not in LOGIN_SHELLS:
        return  # another syntax (fish, csh): as JupyterLab would run it
    again = 'PATH="$1${PATH:+:$PATH}"; export PATH; exec "$0" -i'
    settings["shell_command"] = [shell, "-lc", again, shell, scripts]


def set_up(server: ServerApp | None) -> None:
    """At server start: the CLI on PATH (also in terminals), the examples in the user's
    folder. A folder that cannot be written (read-only home) is logged, never fatal."""
    if server is None:
        return
    added = cli_on_path()
    if added:
        log.info("galilean: %s added to PATH (the galilean command)", added)
    scripts = Path(sys.executable).parent
    if (scripts / "galilean").is_file():  # also where PATH had it (the docker image)
        login_shell_keeps(str(scripts), server.terminado_settings)
    root = Path(server.root_dir).expanduser()
    for what, shipped, into in (
        ("example flows", SHIPPED, TARGET),
        ("trainer templates", TRAINERS, TRAINERS_TARGET),
    ):
        try:
            copied = copy_examples(root, shipped, into)
        except OSError as exc:
            log.warning("galilean: the %s were not copied: %s", what, exc)
            return
        if copied:
            log.info("galilean: %s copied to %s: %s", what, into, ", ".join(copied))
