"""A published flow endpoint under load: requests per second with its plan cached, on the
real hub (configurable-http-proxy in front, the flows service behind), public and with a
hub API token, and straight to the service (no proxy) for comparison.

Usage: python bench/endpoint.py [--seconds 10] [--concurrency 16]
Writes bench/results/endpoint.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from flows_api import wait_ready  # noqa: E402

from harness.client import HubClient  # noqa: E402
from harness.hub import Hub  # noqa: E402

PASSWORD = "correct-horse-battery-9"  # noqa: S105 (a throw-away hub)


def small_flow() -> dict[str, object]:
    rows = [[i, f"c{i % 7}", i * 1.5] for i in range(200)]
    return {
        "galilean_flow": 1,
        "name": "bench endpoint",
        "parameters": [{"name": "least", "type": "number", "default": 0, "shared": True}],
        "nodes": [
            {
                "id": "data",
                "kind": "source.inline",
                "params": {
                    "columns": [
                        {"name": "id", "type": "BIGINT"},
                        {"name": "category", "type": "VARCHAR"},
                        {"name": "value", "type": "DOUBLE"},
                    ],
                    "rows": rows,
                },
            },
            {"id": "big", "kind": "transform.filter", "params": {"condition": "value >= :least"}},
            {
                "id": "sums",
                "kind": "transform.aggregate",
                "params": {
                    "group_by": ["category"],
                    "aggregations": [{"column": "value", "function": "sum", "as": "total"}],
                },
            },
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        "edges": [
            {"id": "e1", "from": {"node": "data"}, "to": {"node": "big"}},
            {"id": "e2", "from": {"node": "big"}, "to": {"node": "sums"}},
            {"id": "e3", "from": {"node": "sums"}, "to": {"node": "out"}},
        ],
    }


async def load(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            async with session.get(url, headers=headers) as reply:
                await reply.read()
                if reply.status != 200:
                    failures += 1
                    continue
            latencies.append(time.perf_counter() - began)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "failures": failures,
    }


def load_ab(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> dict[str, float]:
    """ApacheBench (C, keep-alive): far lighter on the shared 2 cores than a Python client."""
    command = ["ab", "-q", "-k", "-c", str(concurrency), "-t", str(int(seconds)), "-n", "10000000"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def number(pattern: str) -> float:
        found = re.search(pattern, out, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    return {
        "rps": number(r"^Requests per second:\s+([\d.]+)"),
        "p50": number(r"^\s+50%\s+(\d+)"),
        "p99": number(r"^\s+99%\s+(\d+)"),
        # ab's "Length" failures are bodies of another length (the timing field varies).
        "failures": number(r"Connect: (\d+)")
        + number(r"Receive: (\d+)")
        + number(r"Exceptions: (\d+)")
        + number(r"^Non-2xx responses:\s+(\d+)"),
    }


def ensure_ab() -> bool:
    if shutil.which("ab"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        command = ["apt-get", "install", "-y", "-qq", "apache2-utils"]
        subprocess.run(command, check=False, capture_output=True, env=quiet)
    return shutil.which("ab") is not None


def slow_flow(seconds: float) -> dict[str, object]:
    code = f"import time\ndef transform(df):\n    time.sleep({seconds})\n    return df\n"
    return {
        "galilean_flow": 1,
        "name": "slow endpoint",
        "nodes": [
            {
                "id": "data",
                "kind": "source.inline",
                "params": {"columns": [{"name": "n", "type": "BIGINT"}], "rows": [[1]]},
            },
            {"id": "py", "kind": "transform.python", "params": {"code": code}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        "edges": [
            {"id": "e1", "from": {"node": "data"}, "to": {"node": "py"}},
            {"id": "e2", "from": {"node": "py"}, "to": {"node": "out"}},
        ],
    }


def isolation_case(
    hub: Hub, admin: HubClient, auth: dict[str, str], options: argparse.Namespace, ab: bool
) -> list[str]:
    """Two users' endpoints at once, one slow: the fast one's p99 alone and while 8
    clients keep the slow one (a Python node sleeping 0.5 s) busy."""
    other = HubClient(hub.url)
    other.signup("slowpoke", PASSWORD)
    admin.authorize("slowpoke")
    assert other.login("slowpoke", PASSWORD)[0]
    slow_auth = {"Authorization": f"token {other.new_token()}"}
    api = f"{hub.url}/services/flows/api"
    made = requests.post(
        f"{api}/flows", json={"flow": slow_flow(0.5)}, headers=slow_auth, timeout=60
    )
    made.raise_for_status()
    requests.put(
        f"{api}/flows/{made.json()['id']}/endpoint",
        json={"name": "slow"},
        headers=slow_auth,
        timeout=60,
    ).raise_for_status()
    fast = f"{hub.url}/services/flows/execute/bench-token?least=10"
    slow = f"{hub.url}/services/flows/execute/slow"
    half = max(1, options.concurrency // 2)

    def measure() -> dict[str, float]:
        if ab:
            return load_ab(fast, auth, options.seconds, half)
        return asyncio.run(load(fast, auth, options.seconds, half))

    alone = measure()
    stop = time.perf_counter() + options.seconds + 5

    async def keep_busy() -> None:
        async with aiohttp.ClientSession() as session:

            async def one() -> None:
                while time.perf_counter() < stop:
                    async with session.post(slow, headers=slow_auth) as reply:
                        await reply.read()

            await asyncio.gather(*(one() for _ in range(half)))

    busy = threading.Thread(target=lambda: asyncio.run(keep_busy()))
    busy.start()
    time.sleep(2)  # the slow endpoint's worker is up and its queue full
    loaded = measure()
    busy.join()
    ratio = loaded["p99"] / alone["p99"] if alone["p99"] else float("nan")
    return [
        "",
        "## One user's slow endpoint does not hold another's",
        "",
        f"{half} clients on a fast endpoint (the flow above, hub token) alone, then while "
        f"{half} more keep another user's slow endpoint busy (a Python node sleeping 0.5 s); "
        "each endpoint has its own worker process. Goal: the fast one's p99 within 2x.",
        "",
        "| fast endpoint | requests/s | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
        f"| alone | {alone['rps']:.0f} | {alone['p50']:.1f} | {alone['p99']:.1f} |",
        f"| with the slow one loaded | {loaded['rps']:.0f} | {loaded['p50']:.1f} | "
        f"{loaded['p99']:.1f} |",
        "",
        f"p99 ratio: {ratio:.2f}x",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="galilean-endpoint-bench-") as tmp:
        hub = Hub(Path(tmp), GALILEAN_CULL_IDLE_SECONDS="0").start()
        try:
            wait_ready(hub.url)
            client = HubClient(hub.url)
            client.signup("admin", PASSWORD)
            assert client.login("admin", PASSWORD)[0]
            token = client.new_token()
            auth = {"Authorization": f"token {token}"}
            api = f"{hub.url}/services/flows/api"
            flow = requests.post(
                f"{api}/flows", json={"flow": small_flow()}, headers=auth, timeout=60
            )
            flow.raise_for_status()
            flow_id = flow.json()["id"]
            second = requests.post(
                f"{api}/flows", json={"flow": small_flow()}, headers=auth, timeout=60
            )
            for fid, name, public in (
                (flow_id, "bench-public", True),
                (second.json()["id"], "bench-token", False),
            ):
                requests.put(
                    f"{api}/flows/{fid}/endpoint",
                    json={"name": name, "public": public},
                    headers=auth,
                    timeout=60,
                ).raise_for_status()
            direct = f"http://127.0.0.1:{hub.env['GALILEAN_FLOWS_PORT']}/services/flows"
            proxied = f"{hub.url}/services/flows"
            cases = [
                ("public, through the proxy", f"{proxied}/execute/bench-public?least=10", {}),
                ("token, through the proxy", f"{proxied}/execute/bench-token?least=10", auth),
                ("public, straight to the service", f"{direct}/execute/bench-public?least=10", {}),
            ]
            lines = [
                "# Published endpoint throughput",
                "",
                f"A 4-node flow (200 inline rows → filter by a parameter → group and sum → "
                f"display), plan cached; {options.concurrency} concurrent clients (aiohttp, "
                f"same machine) for {options.seconds:.0f} s each, after a warm-up; 2 cores "
                "shared by the client, the proxy and the service.",
                "",
                "| case | requests/s | p50 ms | p99 ms | failures |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            with_ab = ensure_ab()
            lines[2] = lines[2].replace(
                "aiohttp", "ApacheBench, keep-alive" if with_ab else "aiohttp"
            )
            for title, url, headers in cases:
                asyncio.run(load(url, headers, 2, options.concurrency))  # warm-up
                if with_ab:
                    got = load_ab(url, headers, options.seconds, options.concurrency)
                else:
                    got = asyncio.run(load(url, headers, options.seconds, options.concurrency))
                lines.append(
                    f"| {title} | {got['rps']:.0f} | {got['p50']:.1f} | {got['p99']:.1f} | "
                    f"{got['failures']:.0f} |"
                )
                print(lines[-1], flush=True)
            lines += isolation_case(hub, client, auth, options, with_ab)
        finally:
            hub.stop()
    (REPO / "bench" / "results" / "endpoint.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
