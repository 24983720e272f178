"""The trainer templates users get in examples/experiments/ (copied once, like the example
flows) train for real when `experiments.run` runs them: given `data` and `params` they set
`metrics` and a `model` that predicts; the trainer checks what a function returns."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from labelled_images import make_labelled

from galilean_server.examples import TRAINERS, TRAINERS_TARGET, copy_examples
from galilean_server.kernel.experiments_train import (
    ExperimentError,
    metrics_of,
    params_of,
    trainer_of,
)


def run_template(name: str, data: Any, params: dict[str, Any]) -> dict[str, Any]:
    return runpy.run_path(str(TRAINERS / name), {"data": data, "params": params}, "__t__")


def test_the_templates_are_copied_once(tmp_path: Path) -> None:
    copied = copy_examples(tmp_path, TRAINERS, TRAINERS_TARGET)
    assert copied == ["image_nearest_mean.py", "table_classifier.py"]
    (tmp_path / TRAINERS_TARGET / "table_classifier.py").unlink()
    assert copy_examples(tmp_path, TRAINERS, TRAINERS_TARGET) == []  # deleted stays deleted


def test_the_table_template_learns_a_separable_table() -> None:
    rows = pd.DataFrame(
        {
            "x": [float(i) for i in range(40)],
            "colour": ["red" if i % 2 else "blue" for i in range(40)],
            "label": ["high" if i >= 20 else "low" for i in range(40)],
        }
    )
    found = run_template("table_classifier.py", rows, {"target": "label", "seed": 3})
    assert found["metrics"]["accuracy"] == 1.0
    assert (found["metrics"]["train_rows"], found["metrics"]["test_rows"]) == (30, 10)
    predicted = found["model"].predict(pd.DataFrame({"x": [2.0, 38.0], "colour": ["red"] * 2}))
    assert list(predicted) == ["low", "high"]
    forest = run_template("table_classifier.py", rows, {"model": "random_forest"})
    assert type(forest["model"].steps[-1][1]).__name__ == "RandomForestClassifier"
    with pytest.raises(KeyError, match="target 'nope'"):
        run_template("table_classifier.py", rows, {"target": "nope"})


def test_the_image_template_classifies_by_nearest_mean(tmp_path: Path) -> None:
    make_labelled(tmp_path / "pets", "coco")
    found = run_template("image_nearest_mean.py", tmp_path / "pets", {"size": 4})
    metrics = found["metrics"]
    assert (metrics["train_images"], metrics["test_images"], metrics["classes"]) == (4, 3, 3)
    assert 0 <= metrics["accuracy"] <= 1
    assert found["model"]["means"].shape == (3, 4 * 4 * 3)
    with pytest.raises(ValueError, match="train and to test"):
        run_template("image_nearest_mean.py", tmp_path / "pets", {"test_split": "none"})


def test_what_a_trainer_may_return_and_take(tmp_path: Path) -> None:
    assert metrics_of({"auc": 1, "loss": 0.5}) == {"auc": 1.0, "loss": 0.5}
    for bad in ([1], {"auc": "high"}, {"auc": float("nan")}, {"ok": True}, {3: 1.0}):
        with pytest.raises(ExperimentError) as refused:
            metrics_of(bad)
        assert refused.value.field == "train"
    assert params_of(None) == {}
    for wrong in ([("a", 1)], {"a": {"b": 1}}, {"": 1}):
        with pytest.raises(ExperimentError) as refused:
            params_of(wrong)
        assert refused.value.field == "params"
    script = tmp_path / "silent.py"
    script.write_text("x = 1\n")
    with pytest.raises(ExperimentError, match="did not set `metrics`"):
        trainer_of(script).train(None, {})

    def train(data: Any, params: dict[str, Any]) -> dict[str, float]:
        return {"n": float(len(data))}

    trainer = trainer_of(train)
    assert trainer.name == "train.py"
    assert 'return {"n": float(len(data))}' in trainer.code()
    assert trainer.train([1, 2], {}) == ({"n": 2.0}, None)
