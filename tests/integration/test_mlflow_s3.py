"""MLflow's artifacts in an S3-compatible store whose keys are the hub's secrets (issue 17:
"MLflow consuming secrets"; admin secrets used by a service on users' behalf, never given
to them): a real MLflow behind the gateway writes to a real S3 server on loopback (moto's
standalone server, its IAM checks on: a key it does not know is refused), users upload and
download through the gateway as themselves, the keys appear in no answer and no log, and a
key the admin replaces in the hub's secrets is picked up without restarting the service."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from mlflow_app import MlflowGateway, gateway_in_process

from galilean_services.mlflow_service.launch import watch

API = "api/2.0/mlflow"
BUCKET = "galilean-mlflow"
# MLflow's key may use S3 only; the test's own, S3 and IAM (to replace MLflow's key).
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@dataclass
class S3:
    url: str
    admin: dict[str, str]  # the test's own key (IAM and S3)

    def client(self, service: str, keys: dict[str, str]) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def new_key(self, user: str) -> dict[str, str]:
        return as_keys(self.client("iam", self.admin).create_access_key(UserName=user)["AccessKey"])

    def objects(self) -> list[str]:
        listed = self.client("s3", self.admin).list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listed.get("Contents", [])]


def as_keys(made: dict[str, Any]) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": made["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": made["SecretAccessKey"],
    }


def listing_with_a_delimiter(request: Any) -> bool:
    return "delimiter" in request._data


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    from moto import settings as moto_settings
    from moto.iam.access_control import S3IAMRequest
    from moto.server import ThreadedMotoServer

    # moto's own bug (getmoto/moto#5948): it recomputes the signature of a listing with a
    # delimiter wrongly, so a right key fails there. Those requests' keys are still
    # checked (a key moto does not know is refused, the policy applies); every other
    # request's signature is checked too.
    checked = S3IAMRequest.check_signature

    def check_signature(request: Any) -> None:
        if not listing_with_a_delimiter(request):
            checked(request)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
    moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")  # setting up: no checks
    S3IAMRequest.check_signature = check_signature  # type: ignore[method-assign,assignment]
    try:
        setup = {"AWS_ACCESS_KEY_ID": "setup", "AWS_SECRET_ACCESS_KEY": "setup"}
        store = S3(f"http://{host}:{port}", setup)
        iam = store.client("iam", setup)
        for user, policy in (("ops", ADMIN_POLICY), ("mlflow", POLICY)):
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
        store.admin = as_keys(iam.create_access_key(UserName="ops")["AccessKey"])
        store.client("s3", store.admin).create_bucket(Bucket=BUCKET)
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # from now on every key is checked
        yield store
    finally:
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = saved
        S3IAMRequest.check_signature = checked  # type: ignore[method-assign]
        server.stop()


def put_artifact(app: MlflowGateway, name: str, blob: bytes) -> tuple[Any, str]:
    experiment = app.ok("POST", f"{API}/experiments/create", {"name": f"s3-{name}"})
    run = app.ok("POST", f"{API}/runs/create", {"experiment_id": experiment["experiment_id"]})
    run_id = run["run"]["info"]["run_id"]
    path = f"api/2.0/mlflow-artifacts/artifacts/{experiment['experiment_id']}/{run_id}"
    return app.call("PUT", f"{path}/artifacts/{name}", data=blob), run_id


def test_artifacts_go_to_s3_with_the_hubs_keys(s3: S3, tmp_path: Path) -> None:
    keys = s3.new_key("mlflow")
    secrets = dict(keys)
    with gateway_in_process(
        tmp_path, artifacts=f"s3://{BUCKET}/mlflow", s3_endpoint_url=s3.url, hub_secrets=secrets
    ) as app:
        replies: list[str] = []
        blob = bytes(range(256)) * 1024
        put, run_id = put_artifact(app, "model.bin", blob)
        replies.append(put.text)
        assert put.status_code == 200, put.text[:500]
        assert any(key.endswith(f"{run_id}/artifacts/model.bin") for key in s3.objects())
        got = app.call("GET", f"get-artifact?path=model.bin&run_uuid={run_id}")
        assert got.status_code == 200, got.text[:800]
        assert got.content == blob
        refused = app.call("GET", f"get-artifact?path=model.bin&run_uuid={run_id}", who="bob")
        assert refused.status_code == 403
        replies.append(refused.text)
        listed = app.call("GET", f"{API}/artifacts/list?run_id={run_id}")
        replies.append(listed.text)

        # The admin replaces the key (the old one is deleted in the store): MLflow, still on
        # the old one, fails, saying nothing of the key; then the gateway picks up the new
        # one from the hub's secrets and MLflow restarts with it.
        iam = s3.client("iam", s3.admin)
        iam.delete_access_key(UserName="mlflow", AccessKeyId=keys["AWS_ACCESS_KEY_ID"])
        stale, _ = put_artifact(app, "stale.bin", b"x" * 100)
        assert stale.status_code >= 400
        replies.append(stale.text)
        rotated = s3.new_key("mlflow")
        app.hub.hub_secrets.update(rotated)
        backend = app.gateway.backend
        old_pid = backend.proc.pid if backend.proc else 0
        asyncio.run(restarted_with_new_keys(app, old_pid))
        fresh, run_id = put_artifact(app, "fresh.bin", b"y" * 100)
        assert fresh.status_code == 200, fresh.text[:500]
        assert any(key.endswith(f"{run_id}/artifacts/fresh.bin") for key in s3.objects())

        # Nowhere on disk either: MLflow's log, its auth.ini, its database.
        written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
        for secret in (keys["AWS_SECRET_ACCESS_KEY"], rotated["AWS_SECRET_ACCESS_KEY"]):
            assert all(secret not in text for text in replies)
            assert all(secret.encode() not in data for data in written)


async def restarted_with_new_keys(app: MlflowGateway, old_pid: int) -> None:
    backend = app.gateway.backend
    backend.ready_after = 0.0  # ready now: the watcher checks keys, then health
    task = asyncio.ensure_future(watch(backend, 180, app.hub, check_seconds=0.0))
    try:
        async with asyncio.timeout(240):
            while (
                backend.proc is None or backend.proc.pid == old_pid or backend.ready_after is None
            ):
                await asyncio.sleep(0.2)
    finally:
        task.cancel()
