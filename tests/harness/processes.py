"""Start and stop processes the way the tests need: ports, bounded waits, by pid.

Ports: a server in the test's own process binds port 0 and reports the port it got. A
server in another process that cannot (JupyterHub and its proxy and services take their
ports from settings; PostgreSQL and MariaDB are reached over TCP by the connections tests)
starts through `start_on_free_ports`: on ports free a moment earlier, and again on new ones
when its log says one was taken in between."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import psutil

T = TypeVar("T")
PORT_ATTEMPTS = 5
# What PostgreSQL, MariaDB, tornado (hub, flows service) and node (the proxy) log when
# a port is taken.
BIND_FAILED = re.compile(r"Address already in use|EADDRINUSE")


class PortTaken(RuntimeError):
    """A port picked for a server was taken before the server bound it."""


def pick_port() -> int:
    """A TCP port nothing listens on at this moment (the OS picks it). Another process
    can take it before the server binds it: start that server with start_on_free_ports."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port that refuses connections while the block runs: bound, never listening, so
    no other process can listen on it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def start_on_free_ports(start: Callable[[], T], what: str, attempts: int = PORT_ATTEMPTS) -> T:
    """`start()` picks its ports (pick_port) and starts the server on them, raising
    PortTaken when the server's log says one was taken in between; then it is called
    again, and picks new ones."""
    for _ in range(attempts - 1):
        with contextlib.suppress(PortTaken):
            return start()
    try:
        return start()
    except PortTaken as taken:
        raise RuntimeError(f"{what}: its ports were taken {attempts} times in a row") from taken


def log_size(path: Path) -> int:
    """Where a server's output starts in its (appended) log: see log_since."""
    return path.stat().st_size if path.exists() else 0


def log_since(path: Path, offset: int) -> str:
    """What was written to the log from `offset` on (this start's output)."""
    if not path.exists():
        return ""
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def raise_if_port_taken(log: str, what: str) -> None:
    if BIND_FAILED.search(log):
        lines = [line for line in log.splitlines() if BIND_FAILED.search(line)]
        raise PortTaken(f"{what}: {lines[0].strip()}")


def wait_until(
    check: Callable[[], bool], timeout: float, what: str, interval: float = 0.25
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


def descendants(pid: int) -> list[psutil.Process]:
    with contextlib.suppress(psutil.NoSuchProcess):
        return psutil.Process(pid).children(recursive=True)
    return []


def stop_tree(
    proc: subprocess.Popen[bytes],
    grace: float,
    seen: list[psutil.Process] = (),  # type: ignore[assignment]
) -> None:
    """SIGTERM the process, wait up to `grace` s, then SIGKILL it and every descendant
    it had: those collected by pid now and those `seen` earlier (a process that died on
    its own leaves its children behind, no longer its descendants)."""
    family = [*descendants(proc.pid), *seen]
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    family = [p for p in {p.pid: p for p in family}.values() if p.is_running()]
    _, alive = psutil.wait_procs(family, timeout=5)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(alive, timeout=5)


def spawn_logged(
    command: list[str], log_path: Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a server process with its output appended to `log_path` and no stdin."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
