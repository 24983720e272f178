"""Where MLflow keeps artifacts, and the keys it needs there (issue 17: "MLflow consuming
secrets"; "admin secrets: usable by the services on a user's behalf, not readable by
users").

A folder by default. With `GALILEAN_MLFLOW_ARTIFACTS_DIR=s3://bucket/prefix` the artifacts
go to S3 or an S3-compatible store (MinIO: `GALILEAN_MLFLOW_S3_ENDPOINT_URL`). The keys are
the hub's secrets `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, which an admin saves in
the Secrets panel's *Hub secrets* (write-only: nobody reads them back); the gateway asks
the hub for them with its own token and hands them to MLflow's process in its environment
only. MLflow serves the artifacts itself (`--serve-artifacts`): users' clients upload and
download through the gateway, as themselves, and never see the keys. Keys that change are
picked up within CHECK_SECONDS (MLflow restarts with them: a few seconds of 503).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..kit.hub_secrets import secrets_from_hub

S3_SECRETS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
CHECK_SECONDS = 30.0
HUB_PATH = "galilean/hub-secrets-for-service"


def in_s3(destination: str) -> bool:
    return destination.startswith("s3://")


def store_environment(
    destination: str, endpoint_url: str, keys: Mapping[str, str]
) -> dict[str, str]:
    """What MLflow's process needs to reach `destination` ({} for a folder)."""
    if not in_s3(destination):
        return {}
    env = {name: keys[name] for name in S3_SECRETS if keys.get(name)}
    if endpoint_url:
        env["MLFLOW_S3_ENDPOINT_URL"] = endpoint_url
    return env


async def hub_keys(auth: Any) -> dict[str, str] | None:
    """The hub's secrets for the artifact store, asked with the gateway's own token; None
    when the hub did not answer (then the keys MLflow has stay)."""
    secrets = await secrets_from_hub(auth, HUB_PATH, "MLflow's artifact store keys")
    if secrets is None:
        return None
    return {name: str(secrets[name]) for name in S3_SECRETS if isinstance(secrets.get(name), str)}
