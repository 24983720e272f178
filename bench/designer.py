"""The pipeline designer in Chromium (issue 14): opening a 50-node flow (first paint: the
first node drawn; interactive: a node clicked shows its form in the side panel), a
preview round trip at 10M rows (from pressing Preview on an aggregation to its rows
shown; first and cached press), and the canvas frame rate while a node of a 200-node flow
is dragged (requestAnimationFrame callbacks counted during a ~2 s scripted drag).

Usage: python bench/designer.py [--rows 10000000] [--repeat 5] [--drag-seconds 2]
Writes bench/results/designer.md. Starts the embedded hub as the browser tests do; take
`flock /tmp/galilean-browser.lock` around it when tests may run beside it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(Path(__file__).parent))

from flows_corpus import generate  # noqa: E402
from lab import lab_user, log_in  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from galilean_services.flows import dump_flow, parse_flow  # noqa: E402
from harness.hub import Hub  # noqa: E402

USER = "designerbench"
FOLDER = "bench"
NODES = ".jp-GalileanFlow .react-flow__node"
Json = dict[str, Any]
Stats = tuple[float, float, float]

# One branch of the generated flows: orders → filter → computed column → join with
# customers → aggregate per region → sort → display (six nodes, one join port).
BRANCH = ("valid", "revenue", "joined", "per_region", "ranked", "show")


def _node(node_id: str, kind: str, column: int, row: int, **params: Any) -> Json:
    position = {"x": 240 * column, "y": 110 * row}
    return {"id": node_id, "kind": kind, "params": params, "position": position}


def _edge(number: int, start: str, end: str, port: str = "in") -> Json:
    return {"id": f"e{number}", "from": {"node": start}, "to": {"node": end, "port": port}}


def _branch(k: int) -> list[Json]:
    ids = [f"{name}_{k}" for name in BRANCH]
    aggregations = [{"column": "revenue", "function": "sum", "as": "revenue"}]
    on = [{"left": "customer_id", "right": "customer_id"}]
    return [
        _node(ids[0], "transform.filter", 1, k, condition=f"quantity >= {k % 5 + 1}"),
        _node(ids[1], "transform.add_column", 2, k, name="revenue", expression="price * quantity"),
        _node(ids[2], "transform.join", 3, k, how="inner", on=on),
        _node(ids[3], "transform.aggregate", 4, k, group_by=["region"], aggregations=aggregations),
        _node(ids[4], "transform.sort", 5, k, keys=[{"column": "revenue", "descending": True}]),
        _node(ids[5], "destination.display", 6, k),
    ]


def big_flow(size: int) -> str:
    """A flow of `size` nodes (2 sources + 6 per branch), as the engine writes it."""
    branches = (size - 2) // 6
    nodes = [
        _node("orders", "source.file", 0, 0, path="orders.parquet"),
        _node("customers", "source.file", 2, branches, path="customers.parquet"),
    ]
    edges: list[Json] = []
    for k in range(branches):
        ids = [f"{name}_{k}" for name in BRANCH]
        nodes += _branch(k)
        pairs = [("orders", ids[0]), (ids[0], ids[1]), (ids[2], ids[3]), (ids[3], ids[4])]
        pairs.append((ids[4], ids[5]))
        edges += [_edge(len(edges) + i + 1, a, b) for i, (a, b) in enumerate(pairs)]
        edges.append(_edge(len(edges) + 1, ids[1], ids[2], "left"))
        edges.append(_edge(len(edges) + 1, "customers", ids[2], "right"))
    flow = {"galilean_flow": 1, "name": f"{size} nodes", "nodes": nodes, "edges": edges}
    return str(dump_flow(parse_flow(json.dumps(flow))))


def preview_flow() -> str:
    """orders → filter → aggregate per store: the aggregate is previewed."""
    nodes = [
        _node("orders", "source.file", 0, 0, path="orders.parquet"),
        _node("paid", "transform.filter", 1, 0, condition="status = 'paid'"),
        _node(
            "per_store",
            "transform.aggregate",
            2,
            0,
            group_by=["store_id"],
            aggregations=[
                {"column": "price", "function": "sum", "as": "revenue"},
                {"function": "count", "as": "orders"},
            ],
        ),
    ]
    edges = [_edge(1, "orders", "paid"), _edge(2, "paid", "per_store")]
    flow = {"galilean_flow": 1, "name": "preview", "nodes": nodes, "edges": edges}
    return str(dump_flow(parse_flow(json.dumps(flow))))


def prepare(home: Path, rows: int, repeat: int) -> None:
    folder = home / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    generate(folder, rows)
    for i in range(1, repeat + 1):
        (folder / f"open50_{i}.flow").write_text(big_flow(50))
    (folder / "drag200.flow").write_text(big_flow(200))
    (folder / "preview.flow").write_text(preview_flow())


def open_file(page: Page, name: str) -> float:
    """Double-click `name` in the file browser; seconds until the first node is drawn."""
    item = page.locator(".jp-DirListing-item", has_text=name).first
    item.wait_for(timeout=30_000)
    began = time.perf_counter()
    item.dblclick()
    page.locator(NODES).first.wait_for(state="visible", timeout=60_000)
    return time.perf_counter() - began


def close_document(page: Page) -> None:
    page.locator(".jp-mod-current .lm-TabBar-tabCloseIcon").first.click()
    discard = page.get_by_role("button", name="Discard")
    deadline = time.monotonic() + 30
    while page.locator(NODES).count() and time.monotonic() < deadline:
        if discard.count():  # the form wrote its schema defaults: not the benchmark's
            discard.click()
        page.wait_for_timeout(100)
    page.locator(NODES).first.wait_for(state="detached", timeout=1_000)


def measure_open(page: Page, repeat: int) -> list[tuple[float, float]]:
    """(first paint, interactive) seconds for each 50-node file."""
    samples = []
    side = page.get_by_role("complementary", name="Node parameters")
    for i in range(1, repeat + 1):
        began = time.perf_counter()
        paint = open_file(page, f"open50_{i}.flow")
        page.get_by_test_id("rf__node-orders").locator(".jp-GalileanFlow-nodeTitle").click()
        side.get_by_text("File", exact=True).first.wait_for(timeout=60_000)
        samples.append((paint, time.perf_counter() - began))
        close_document(page)
    return samples


def press_preview(page: Page, node: str) -> tuple[float, str]:
    """Seconds from pressing Preview to the rows shown, and the summary line."""
    grid = f'table[aria-label="Preview of {node}"]'
    page.evaluate(f"document.querySelectorAll('{grid}').forEach(t => t.dataset.old = '1')")
    began = time.perf_counter()
    page.get_by_role("button", name=f"Preview {node}").click()
    page.locator(f"{grid}:not([data-old]) tbody tr").first.wait_for(timeout=300_000)
    seconds = time.perf_counter() - began
    return seconds, page.locator(".jp-GalileanFlow-summary").inner_text()


def measure_preview(page: Page, repeat: int) -> tuple[tuple[float, str], list[tuple[float, str]]]:
    open_file(page, "preview.flow")
    page.get_by_test_id("rf__node-per_store").locator(".jp-GalileanFlow-nodeTitle").click()
    first = press_preview(page, "per_store")
    again = [press_preview(page, "per_store") for _ in range(repeat)]
    close_document(page)
    return first, again


COUNTER = """([seconds, selector]) => new Promise(resolve => {
  const times = [];
  let moves = 0;
  let last = null;
  const began = performance.now();
  const tick = now => {
    times.push(now);
    const node = selector ? document.querySelector(selector) : null;
    const at = node ? node.style.transform : null;
    if (at !== last) { moves += last === null ? 0 : 1; last = at; }
    if (now - began < seconds * 1000) { requestAnimationFrame(tick); }
    else { resolve({times, moves}); }
  };
  requestAnimationFrame(tick);
})"""


def fps(counted: Json) -> tuple[float, float, float]:
    """Frames a second, the longest frame (ms), and frames a second in which the watched
    node had moved, from what COUNTER gives."""
    times: list[float] = counted["times"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    seconds = (times[-1] - times[0]) / 1000
    return len(gaps) / seconds, max(gaps), counted["moves"] / seconds


def measure_drag(page: Page, seconds: float) -> tuple[Stats, Stats, float]:
    """Frame rate, longest frame and node redraws a second, idle and while a node of the
    200-node flow is dragged round a circle; and the mouse moves a second sent."""
    open_file(page, "drag200.flow")
    page.wait_for_timeout(2_000)  # validation and fit view settle
    watched = '.react-flow__node[data-id="revenue_6"]'  # in view at the fit's zoom floor
    idle = fps(page.evaluate(COUNTER, [seconds, watched]))
    dragged = page.locator(watched)
    box = dragged.locator(".jp-GalileanFlow-nodeTitle").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    # Started, not awaited: the counter runs while the mouse moves.
    page.evaluate(f"() => {{ window.__frames = ({COUNTER})([{seconds}, '{watched}']); }}")
    began, step = time.perf_counter(), 0
    while time.perf_counter() - began < seconds:
        step += 1
        page.mouse.move(x + 80 * math.sin(step / 15), y + 40 - 40 * math.cos(step / 15))
    moves = step / (time.perf_counter() - began)
    page.mouse.move(x + 60, y + 60)
    page.mouse.up()
    dragging = fps(page.evaluate("window.__frames"))
    after = dragged.locator(".jp-GalileanFlow-nodeTitle").bounding_box()
    assert after is not None
    assert (after["x"], after["y"]) != (box["x"], box["y"]), "the node was not dragged"
    close_document(page)
    return idle, dragging, moves


def load() -> str:
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return f"{uptime.stdout.strip()} ({os.cpu_count()} cores)"


def run(options: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="galilean-designer-") as tmp:
        hub = Hub(Path(tmp)).start()
        try:
            home = lab_user(hub, USER)
            prepare(home, options.rows, options.repeat)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                log_in(page, hub, USER)
                page.goto(f"{hub.url}/user/{USER}/lab/tree/{FOLDER}")
                page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=120_000)
                before = load()
                opened = measure_open(page, options.repeat)
                first, again = measure_preview(page, options.repeat)
                idle, dragging, moves = measure_drag(page, options.drag_seconds)
                after = load()
                browser.close()
        finally:
            hub.stop()
    return report(options, opened, first, again, (idle, dragging, moves), (before, after))


def report(
    options: argparse.Namespace,
    opened: list[tuple[float, float]],
    first: tuple[float, str],
    again: list[tuple[float, str]],
    drag: tuple[Stats, Stats, float],
    loads: tuple[str, str],
) -> list[str]:
    idle, dragging, moves = drag
    paint = [p for p, _ in opened]
    ready = [r for _, r in opened]
    cached = statistics.median(s for s, _ in again)
    n = options.repeat
    return [
        "# The pipeline designer in Chromium: open, preview, drag",
        "",
        "Embedded hub, one user, headless Chromium (software rendering, 1440 x 900), a",
        "JupyterLab already loaded with the file browser on the flows' folder.",
        "Open: double-click a generated 50-node flow (2 sources, 8 branches of filter →",
        "computed column → join → aggregate → sort → display) until the first node is drawn",
        "(first paint), then click a node until its form is in the side panel (interactive,",
        "from the double-click); a fresh file each time, the first the session's first flow",
        "(the kind catalogue and the form's code load then). Preview: orders (Parquet) → filter",
        "→ aggregate per store; from pressing Preview on the aggregate to its rows in the",
        "grid; the second press reuses the held result. Drag: one node of a 200-node flow",
        f"(33 branches) held and moved by the mouse for {options.drag_seconds:g} s; frames",
        "counted with requestAnimationFrame, and the frames in which the dragged node had",
        "moved (redraws); Playwright's mouse sends a move when the page has taken the last",
        "one, so the redraws follow the moves sent (idle: the same without a drag).",
        "",
        "| measure | value | samples / detail |",
        "| --- | ---: | --- |",
        f"| open 50 nodes: first paint (median of {n}) | {statistics.median(paint):.2f} s | "
        + ", ".join(f"{s:.2f}" for s in paint)
        + " |",
        f"| open 50 nodes: interactive (median of {n}) | {statistics.median(ready):.2f} s | "
        + ", ".join(f"{s:.2f}" for s in ready)
        + " |",
        f"| preview at {options.rows:,} rows: first press | {first[0]:.2f} s | {first[1]} |",
        f"| preview at {options.rows:,} rows: cached press (median of {n}) | {cached:.2f} s "
        f"| {again[-1][1]} |",
        f"| canvas while dragging, 200 nodes | {dragging[0]:.0f} fps | longest frame "
        f"{dragging[1]:.0f} ms; the node redrawn {dragging[2]:.0f} times a second for "
        f"{moves:.0f} mouse moves a second |",
        f"| canvas idle, 200 nodes | {idle[0]:.0f} fps | longest frame {idle[1]:.0f} ms |",
        "",
        f"Load before: `{loads[0]}`; after: `{loads[1]}`.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--drag-seconds", type=float, default=2.0)
    options = parser.parse_args()
    lines = run(options)
    (REPO / "bench" / "results" / "designer.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
