"""The Monday-morning case: N users log in at once on one embedded hub (2 cores here). Each
login asks the hub for the user's server at the same moment (as the login page does); a
user can work once the hub says the server is ready and their JupyterLab page answers.
First, median and last ready, and one user alone on the same hub for comparison.

The users' browsers are not run here: on the same 2 cores, ten Chromium pages would take the
CPU the servers need, which users' own machines do not.

Usage: python bench/login_storm.py [--users 10]      Writes bench/results/login_storm.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from conftest import admin_client, approved_user  # noqa: E402
from harness.client import HubClient  # noqa: E402
from harness.hub import Hub  # noqa: E402


def usable(client: HubClient, started: float, timeout: float = 300) -> float:
    """Seconds from `started` until the user's server is ready and its JupyterLab answers."""
    client.wait_server("", ready=True, timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.api("GET", f"{client.server_url()}lab")
        if page.status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"{client.username}: JupyterLab did not answer")


def storm(clients: list[HubClient]) -> list[float]:
    """Every client asks for its server at the same moment; each one's seconds to usable."""
    results: dict[str, float] = {}
    errors: list[BaseException] = []
    gate = threading.Barrier(len(clients))

    def one(client: HubClient) -> None:
        try:
            gate.wait()
            started = time.monotonic()
            answer = client.api("POST", f"/users/{client.username}/server")
            assert answer.status_code in (201, 202), answer.text
            results[client.username] = usable(client, started)
        except BaseException as exc:  # reported after the others finish
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sorted(results.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="galilean-storm-") as folder:
        hub = Hub(Path(folder), GALILEAN_CULL_IDLE_SECONDS="0").start()
        try:
            admin = admin_client(hub)
            clients = [approved_user(hub, admin, f"monday{i}") for i in range(options.users)]
            alone = approved_user(hub, admin, "early")
            single = storm([alone])[0]
            alone.stop_server()
            seconds = storm(clients)
            for client in clients:
                client.stop_server()
        finally:
            hub.stop()
    lines = [
        f"# {options.users} users logging in at once (embedded hub)",
        "",
        "Each user's server asked for at the same moment; usable = the hub says ready and "
        "the user's JupyterLab page answers. Same hub, same run.",
        "",
        "| case | first s | median s | last s |",
        "| --- | ---: | ---: | ---: |",
        f"| one user alone | {single:.1f} | {single:.1f} | {single:.1f} |",
        f"| {options.users} at once | {seconds[0]:.1f} | {statistics.median(seconds):.1f} | "
        f"{seconds[-1]:.1f} |",
    ]
    out = REPO / "bench" / "results" / "login_storm.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
