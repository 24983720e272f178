"""What the AI gateway adds to a chat request: the same requests sent straight to a local
OpenAI-compatible model server (tests/fake_openai.py, which answers at once, so what is
measured is the path, not a model) and through an embedded hub's gateway (the proxy, the
hub token's check, the user's allowance and budget, litellm, the usage record), interleaved
in one run: a whole answer's latency, and a streamed answer's first token.

Usage: python bench/ai_gateway.py [--requests 60]      Writes bench/results/ai_gateway.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import openai  # noqa: E402
from fake_openai import fake_openai  # noqa: E402

from conftest import admin_client, approved_user  # noqa: E402
from harness.hub import Hub  # noqa: E402

QUESTION = [{"role": "user", "content": "How many rows does my table have?"}]


def whole(client: openai.OpenAI, model: str) -> float:
    started = time.perf_counter()
    client.chat.completions.create(model=model, messages=QUESTION)  # type: ignore[arg-type]
    return time.perf_counter() - started


def first_token(client: openai.OpenAI, model: str) -> float:
    started = time.perf_counter()
    stream = client.chat.completions.create(
        model=model,
        messages=QUESTION,  # type: ignore[arg-type]
        stream=True,
    )
    seconds = 0.0
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            seconds = time.perf_counter() - started
            break
    stream.close()
    return seconds


def timed(measure: Callable[[], float], count: int) -> list[float]:
    measure()  # warm: litellm's first import and the connection pool
    return [measure() for _ in range(count)]


def ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=60)
    options = parser.parse_args()
    rows: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory(prefix="galilean-ai-") as folder, fake_openai() as served:
        base, _ = served
        hub = Hub(
            Path(folder),
            GALILEAN_AI_ENABLED="true",
            GALILEAN_AI_MODELS=f"echo=openai/scripted@{base}",
            GALILEAN_AI_DAILY_REQUESTS="0",
            GALILEAN_AI_DAILY_TOKENS="0",
            OPENAI_API_KEY="sk-bench",
        ).start()
        try:
            user = approved_user(hub, admin_client(hub), "benchai")
            gateway = openai.OpenAI(
                base_url=f"{hub.url}/services/ai/v1", api_key=user.token, max_retries=0
            )
            direct = openai.OpenAI(base_url=base, api_key="sk-bench", max_retries=0)
            timings: dict[str, list[float]] = {
                "whole answer, direct": [],
                "whole answer, through the gateway": [],
                "first streamed token, direct": [],
                "first streamed token, through the gateway": [],
            }
            for _ in range(options.requests // 10):  # interleaved, ten at a time
                timings["whole answer, direct"] += timed(lambda: whole(direct, "scripted"), 10)
                timings["whole answer, through the gateway"] += timed(
                    lambda: whole(gateway, "echo"), 10
                )
                timings["first streamed token, direct"] += timed(
                    lambda: first_token(direct, "scripted"), 10
                )
                timings["first streamed token, through the gateway"] += timed(
                    lambda: first_token(gateway, "echo"), 10
                )
            rows = list(timings.items())
        finally:
            hub.stop()
    direct_whole = statistics.median(rows[0][1])
    direct_first = statistics.median(rows[2][1])
    lines = [
        "# The AI gateway's cost per request",
        "",
        f"{options.requests} requests each, interleaved, to a local model server that "
        "answers at once: what is measured is the path (embedded hub, proxy, token check, "
        "allowance, litellm, usage record), not a model.",
        "",
        "| request | p50 ms | p95 ms |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {ms(values, 0.5)} | {ms(values, 0.95)} |" for name, values in rows],
        "",
        "Gateway overhead (median): whole answer "
        f"{1000 * (statistics.median(rows[1][1]) - direct_whole):.1f} ms, first token "
        f"{1000 * (statistics.median(rows[3][1]) - direct_first):.1f} ms.",
    ]
    out = REPO / "bench" / "results" / "ai_gateway.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
