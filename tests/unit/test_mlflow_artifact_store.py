"""MLflow's artifact store: a folder needs nothing; S3 gets the hub's secrets for MLflow and
the store's URL, nothing else; the hub's answer is read the same way whatever it holds."""

from __future__ import annotations

import asyncio
from pathlib import Path

from galilean_services.kit.testing import FakeHubAuth
from galilean_services.mlflow_service.artifact_store import hub_keys, store_environment
from galilean_services.mlflow_service.backend import Backend
from galilean_services.mlflow_service.config import GatewayConfig
from galilean_services.mlflow_service.launch import new_store_keys
from galilean_services.mlflow_service.settings import MlflowSettings

KEYS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value-long"}


def test_a_folder_needs_no_keys() -> None:
    assert store_environment("/data/mlflow-artifacts", "http://minio:9000", KEYS) == {}


def test_s3_gets_the_keys_and_the_stores_url() -> None:
    env = store_environment("s3://models/mlflow", "http://minio:9000", KEYS)
    assert env == {**KEYS, "MLFLOW_S3_ENDPOINT_URL": "http://minio:9000"}
    # Amazon's own S3 (no URL); keys not saved yet (boto3 then finds none and says so).
    assert store_environment("s3://models", "", {}) == {}


def test_the_hubs_answer_gives_only_the_stores_keys() -> None:
    auth = FakeHubAuth({}, hub_secrets={**KEYS, "OPENAI_API_KEY": "not-for-mlflow"})
    assert asyncio.run(hub_keys(auth)) == KEYS
    assert asyncio.run(hub_keys(FakeHubAuth({}, hub_secrets={}))) == {}


def config(tmp_path: Path, artifacts: str) -> GatewayConfig:
    return GatewayConfig(
        db_url=f"sqlite:///{tmp_path / 'mlflow.sqlite'}",
        artifacts=artifacts,
        home=MlflowSettings().mlflow_environment(),
        state=tmp_path / "state",
        s3_endpoint_url="http://127.0.0.1:9",
    )


def test_mlflows_environment_has_the_keys_only_for_s3(tmp_path: Path) -> None:
    auth = FakeHubAuth({}, hub_secrets=dict(KEYS))
    in_s3 = Backend(config(tmp_path, "s3://models/mlflow"))
    assert asyncio.run(new_store_keys(in_s3, auth)) is True
    env = in_s3.environment()
    assert env["AWS_SECRET_ACCESS_KEY"] == KEYS["AWS_SECRET_ACCESS_KEY"]
    assert env["MLFLOW_S3_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert asyncio.run(new_store_keys(in_s3, auth)) is False  # unchanged: no restart
    auth.hub_secrets["AWS_SECRET_ACCESS_KEY"] = "rotated-value-long"
    assert asyncio.run(new_store_keys(in_s3, auth)) is True
    assert in_s3.environment()["AWS_SECRET_ACCESS_KEY"] == "rotated-value-long"

    in_folder = Backend(config(tmp_path, str(tmp_path / "artifacts")))
    assert asyncio.run(new_store_keys(in_folder, auth)) is False
    assert not {"AWS_SECRET_ACCESS_KEY", "MLFLOW_S3_ENDPOINT_URL"} & set(in_folder.environment())
