"""The training node (`transform.train`): the user's train(df, params) in the Python
sandbox; its output is a row of metrics, the run carries the training's record (params,
metrics, code, the model's files) for MLflow; errors name the node; the model's files are
read without following a link the code planted."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from flow_builders import flow_of

from galilean_services.flows.issues import FlowInvalid
from galilean_services.flows.runner import preview, run
from galilean_services.flows.sandbox import SandboxError
from galilean_services.flows.training import MODEL_FOLDER, model_files

SKLEARN = """
from sklearn.linear_model import LinearRegression

def train(df, params):
    data = df[df["amount"].notna()]
    model = LinearRegression(fit_intercept=params["intercept"]).fit(data[["id"]], data["amount"])
    return {"r2": float(model.score(data[["id"]], data["amount"])), "rows": len(data)}, model
"""
PICKLED = """
def train(df, params):
    return {"mean": float(df["amount"].mean())}, {"weights": [params["w"], 2]}
"""


def train_flow(code: str, **params: Any) -> Any:
    return flow_of({"id": "fit", "kind": "transform.train", "params": {"code": code, **params}})


def test_a_training_gives_its_metrics_and_a_record() -> None:
    outcome = run(
        train_flow(
            SKLEARN, params=[{"name": "intercept", "value": True}], experiment="sales/retrain"
        )
    )
    assert outcome.status == "succeeded", outcome.error
    row = outcome.outputs["out"].to_pylist()
    assert list(row[0]) == ["r2", "rows"]
    assert row[0]["rows"] == 5
    (training,) = outcome.trainings
    assert training.node == "fit"
    assert training.params == {"intercept": True}
    assert training.metrics["rows"] == 5.0
    assert training.experiment == "sales/retrain"
    assert training.model_format == "sklearn"
    assert "MLmodel" in training.files
    assert "def train" in training.code
    record = training.to_json()
    assert set(record["files"]) == set(training.files)


def test_any_other_model_is_pickled_and_previews_record_nothing() -> None:
    flow = train_flow(PICKLED, params=[{"name": "w", "value": 0.5}], metrics=["mean"])
    outcome = run(flow, engine="duckdb")
    assert outcome.status == "succeeded", outcome.error
    (training,) = outcome.trainings
    assert training.model_format == "pickle"
    assert pickle.loads(training.files["model.pkl"]) == {"weights": [0.5, 2]}  # noqa: S301
    assert preview(flow, "fit").column_names == ["mean"]


@pytest.mark.parametrize(
    ("code", "params", "expected"),
    [
        ("def train(df, params):\n    return 3\n", {}, "must return a dict of metrics"),
        (
            "def train(df, params):\n    return {'x': float('nan')}\n",
            {},
            "metric 'x' is nan",
        ),
        ("def train(df, params):\n    return {'x': 'high'}\n", {}, "is not a number"),
        (
            "def train(df, params):\n    return {'x': 1}\n",
            {"metrics": ["y"]},
            "metrics: train(df, params) returned the metrics ['x']",
        ),
        ("def train(df, params):\n    1 / 0\n", {}, "ZeroDivisionError (line 2)"),
        (
            "import socket\ndef train(df, params):\n"
            "    socket.create_connection(('127.0.0.1', 9))\n",
            {},
            "socket.connect is not allowed",
        ),
    ],
)
def test_a_bad_training_fails_at_its_node(code: str, params: dict[str, Any], expected: str) -> None:
    outcome = run(train_flow(code, **params))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error["node"] == "fit"
    assert expected in outcome.error["message"]
    assert outcome.trainings == []


def test_the_flow_is_checked_before_it_runs() -> None:
    with pytest.raises(FlowInvalid, match=r"define train\(df, params\)"):
        run(train_flow("def transform(df):\n    return df\n"))
    with pytest.raises(FlowInvalid, match="line 1"):
        run(train_flow("def train(df, params) return 1\n"))
    twice = [{"name": "a", "value": 1}, {"name": "a", "value": 2}]
    with pytest.raises(FlowInvalid, match="parameter 'a' is given twice"):
        run(train_flow(PICKLED, params=twice))


def test_a_planted_link_or_a_second_name_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "not-yours.txt"
    secret.write_text("root only")
    model = tmp_path / MODEL_FOLDER
    (model / "nested").mkdir(parents=True)
    (model / "nested" / "weights.bin").write_bytes(b"\x00" * 10)
    assert model_files(tmp_path) == {"nested/weights.bin": b"\x00" * 10}
    os.symlink(secret, model / "link.txt")
    with pytest.raises(SandboxError, match="not a regular file"):
        model_files(tmp_path)
    (model / "link.txt").unlink()
    os.link(secret, model / "hard.txt")
    with pytest.raises(SandboxError, match="not a file of its own"):
        model_files(tmp_path)
    (model / "hard.txt").unlink()
    os.symlink(tmp_path, model / "up")
    with pytest.raises(SandboxError, match="not a regular file"):
        model_files(tmp_path)
    (model / "up").unlink()
    model.rename(tmp_path / "real")
    os.symlink(tmp_path / "real", model)
    with pytest.raises(SandboxError, match="not a plain folder"):
        model_files(tmp_path)


def test_a_model_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from galilean_services.flows import training

    monkeypatch.setattr(training, "MAX_MODEL_BYTES", 1000)
    (tmp_path / MODEL_FOLDER).mkdir()
    (tmp_path / MODEL_FOLDER / "big.bin").write_bytes(b"x" * 1001)
    with pytest.raises(SandboxError, match="train larger ones from a notebook"):
        model_files(tmp_path)
