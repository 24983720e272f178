"""A scikit-learn classifier trained on a table snapshot, tracked in MLflow.

Run it from a notebook on one of your tables datasets:

    from galilean_server.kernel.api import experiments
    run = experiments.run(
        "examples/experiments/table_classifier.py",
        dataset="customers",            # yours, or "owner/name"
        snapshot=None,                  # None: the newest snapshot
        params={"target": "churned", "model": "logistic_regression", "C": 1.0},
    )
    run.link                            # the run in the MLflow UI

`experiments.run` gives this script `data` (the snapshot as a pandas DataFrame) and
`params`; the script sets `metrics` and `model`, which the run logs (the model in
MLflow's scikit-learn flavour), with the snapshot, the parameters and this file.

params: target (the label column; default the last column), features (comma-separated
columns; default every other column), model (logistic_regression or random_forest),
C (logistic regression), n_estimators (random forest), test_size (default 0.25), seed.
"""

from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

data: pd.DataFrame = globals()["data"]  # given by experiments.run
params: dict[str, Any] = globals()["params"]

target = str(params.get("target") or data.columns[-1])
if target not in data.columns:
    raise KeyError(f"params: target {target!r} is not a column ({', '.join(data.columns)})")
named = str(params.get("features") or "")
features = [c.strip() for c in named.split(",") if c.strip()] or [
    c for c in data.columns if c != target
]
seed = int(params.get("seed", 0))

rows = data.dropna(subset=[target])
x, y = rows[features], rows[target].astype(str)
numbers = [c for c in features if pd.api.types.is_numeric_dtype(x[c])]
texts = [c for c in features if c not in numbers]
prepare = ColumnTransformer(
    [
        ("numbers", make_pipeline(SimpleImputer(), StandardScaler()), numbers),
        ("texts", OneHotEncoder(handle_unknown="ignore"), texts),
    ]
)
if params.get("model", "logistic_regression") == "random_forest":
    estimator = RandomForestClassifier(
        n_estimators=int(params.get("n_estimators", 100)), random_state=seed
    )
else:
    estimator = LogisticRegression(C=float(params.get("C", 1.0)), max_iter=1000)

# stratified when every class can be on both sides
counts = y.value_counts()
stratify = y if len(counts) > 1 and counts.min() >= 2 else None
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size=float(params.get("test_size", 0.25)), random_state=seed, stratify=stratify
)
model = make_pipeline(prepare, estimator).fit(x_train, y_train)
predicted = model.predict(x_test)
metrics = {
    "accuracy": accuracy_score(y_test, predicted),
    "f1_macro": f1_score(y_test, predicted, average="macro"),
    "majority_baseline": float((y_test == y_train.mode()[0]).mean()),
    "train_rows": len(x_train),
    "test_rows": len(x_test),
}
