"""From pressing *Sign in* on the hub's login page to a usable JupyterLab (splash gone,
launcher shown), in Chromium, for the first and later users of a fresh embedded hub: what
a new user waits for (their server is spawned on login).

Usage: python bench/login_to_lab.py [--users 3]
Writes bench/results/login.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from conftest import CHROMIUM, PASSWORD, admin_client, approved_user  # noqa: E402
from harness.hub import Hub  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=3)
    options = parser.parse_args()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        hub = Hub(Path(folder)).start()
        try:
            admin = admin_client(hub)
            names = [f"newuser{i}" for i in range(1, options.users + 1)]
            for name in names:
                approved_user(hub, admin, name)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for name in names:
                    page = browser.new_context().new_page()
                    page.goto(f"{hub.url}/hub/login")
                    page.fill("#username_input", name)
                    page.fill("#password_input", PASSWORD)
                    started = time.monotonic()
                    page.click("#login_submit")
                    page.wait_for_url(f"{hub.url}/user/{name}/lab**", timeout=180_000)
                    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=120_000)
                    page.wait_for_selector(".jp-Launcher", timeout=60_000)
                    rows.append((name, time.monotonic() - started))
                    page.context.close()
                browser.close()
        finally:
            hub.stop()
    later = [seconds for _, seconds in rows[1:]] or [rows[0][1]]
    lines = [
        "# Login to a usable JupyterLab (embedded hub, Chromium)",
        "",
        "From *Sign in* to the launcher shown; each user's server is spawned on login.",
        "",
        "| user | seconds |",
        "| --- | ---: |",
        *[f"| {name} | {seconds:.1f} |" for name, seconds in rows],
        "",
        f"Median of the users after the first: {statistics.median(later):.1f} s.",
    ]
    out = REPO / "bench" / "results" / "login.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
