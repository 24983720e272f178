"""MLflow on a real hub, for tests: wait for the service, call it with a user's hub token,
find MLflow's own port (a descendant process of the hub), groups with members."""

from __future__ import annotations

from typing import Any

import psutil
import requests
from flows_api import document

from conftest import PASSWORD
from harness.client import HubClient, wait_for_service
from harness.hub import Hub

MLFLOW = "/services/mlflow"
API = f"{MLFLOW}/api/2.0/mlflow"


def wait_mlflow(hub: Hub, timeout: float = 180) -> None:
    try:
        wait_for_service(hub.url, f"{MLFLOW}/galilean/health", "MLflow", timeout)
    except AssertionError as failed:
        raise AssertionError(f"{failed}:\n{hub.log()[-3000:]}") from None


def mlflow_port(hub: Hub) -> int:
    """The port MLflow itself listens on (only the gateway should be able to use it)."""
    assert hub.proc is not None
    for process in psutil.Process(hub.proc.pid).children(recursive=True):
        try:
            command = process.cmdline()
        except psutil.Error:
            continue
        if "server" in command and "--port" in command and any("mlflow" in c for c in command):
            return int(command[command.index("--port") + 1])
    raise AssertionError("no MLflow process under the hub")


def call(client: HubClient, method: str, path: str, **kwargs: Any) -> requests.Response:
    """`path` under the hub's base URL, with the client's hub token."""
    return client.api(method, path, allow_redirects=False, **kwargs)


def client_of(hub: Hub, name: str, scopes: list[str] | None = None) -> HubClient:
    """A logged-in client of an approved user, with a new token (of these scopes only,
    when given)."""
    client = HubClient(hub.url)
    logged_in, error = client.login(name, PASSWORD)
    assert logged_in, error
    client.new_token("narrow" if scopes is not None else "tests", scopes)
    return client


# A flow that trains (flows' transform.train): 1 + 2 + 4 rows of x, scaled by 2.
TRAIN = """
def train(df, params):
    total = float(df["x"].sum()) * params["scale"]
    return {"total": total, "rows": len(df)}, {"scale": params["scale"]}
"""


def training_flow(name: str = "nightly retrain", **train: Any) -> dict[str, Any]:
    return document(
        [
            {
                "id": "data",
                "kind": "source.inline",
                "params": {"columns": [{"name": "x", "type": "BIGINT"}], "rows": [[1], [2], [4]]},
            },
            {
                "id": "fit",
                "kind": "transform.train",
                "params": {"code": TRAIN, "params": [{"name": "scale", "value": 2}], **train},
            },
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("data", "fit"), ("fit", "out")],
        name=name,
    )
