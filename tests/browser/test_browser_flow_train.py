"""Chromium, in the pipeline designer (issue 16, a scheduled retrain): the example flow
`retrain_model.flow` opens with its training node; the node's form shows the code, the
parameter `alpha` (a number) and the experiment, every control named; Run trains the
model in the run's sandbox and the flows service logs it to MLflow as the user: the run
history's logs name the MLflow run, and its output is the row of metrics. Screenshots in
the test output folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lab import lab_user, log_in, open_in_lab
from mlflow_hub import wait_mlflow
from playwright.sync_api import Locator, Page, expect

from harness.hub import REPO, Hub

USER = "flowtrainer"
EXAMPLES = REPO / "extensions" / "galilean_server" / "examples" / "flows"
FLOW = "retrain_model.flow"
NODES = ("orders", "fit", "scores")
RUN_TIMEOUT_MS = 180_000


def node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id(f"rf__node-{node_id}")


def shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"flow-train-{name}.png"))


def test_a_training_flow_runs_and_is_logged(page: Page, lab_hub: Hub, output_dir: Path) -> None:
    page.set_viewport_size({"width": 1600, "height": 1000})
    home = lab_user(lab_hub, USER)
    (home / "models").mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / FLOW, home / "models" / FLOW)
    shutil.copy(EXAMPLES / "sales.csv", home / "models" / "sales.csv")
    wait_mlflow(lab_hub)
    log_in(page, lab_hub, USER)
    open_in_lab(page, lab_hub, USER, f"models/{FLOW}")
    for node_id in NODES:
        expect(node(page, node_id)).to_be_visible(timeout=30_000)

    node(page, "fit").locator(".jp-GalileanFlow-nodeTitle").click()
    side = page.get_by_role("complementary", name="Node parameters")
    expect(side.locator(".jp-GalileanFlow-formTitle")).to_contain_text("fit")
    expect(side.get_by_text("Train a model (MLflow)")).to_be_visible()
    expect(side.get_by_role("textbox", name="name", exact=True)).to_have_value("alpha")
    expect(side.get_by_role("spinbutton", name="number", exact=True)).to_have_value("1")
    expect(side.get_by_role("textbox", name=re.compile("experiment"))).to_be_visible()
    controls = side.locator("input:visible, select:visible, textarea:visible")
    for index in range(controls.count()):
        expect(controls.nth(index)).to_have_accessible_name(re.compile(r"\S"))
    shot(page, output_dir, "01-form")

    page.get_by_role("button", name="Run the flow").click()
    expect(page.get_by_text(re.compile(r"Run of v\d+.*: succeeded"))).to_be_visible(
        timeout=RUN_TIMEOUT_MS
    )
    history = page.get_by_role("table", name="Run history")
    expect(history).to_be_visible(timeout=30_000)
    history.locator("tbody tr").first.click()
    logs = page.get_by_label("Run logs")
    expect(logs).to_contain_text(
        re.compile(r"fit: logged to MLflow as run \w+ in experiment 'users/flowtrainer/default'"),
        timeout=30_000,
    )
    output = page.get_by_role("table", name="Output scores")
    expect(output.get_by_role("columnheader", name=re.compile("^r2_test"))).to_be_visible()
    shot(page, output_dir, "02-run-logged")
