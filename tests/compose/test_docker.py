"""The homelab path on a real Docker engine: images, compose config, the hub in docker mode
spawning user containers with limits, persistent homes and isolation.

The engine, the base image and the images are made here (no registry is reachable). The
hub runs on the host in docker mode (Traefik's image cannot be had here), against a real
PostgreSQL; a separate test runs the hub image itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from backup_drill import backup_command, drop_database, workspace_with_a_file
from flows_api import Flows, document, inline_flow, wait_ready
from hostile_flows import assert_killed_cleanly, big_copy, start_and_catch_writing
from mlflow_hub import API, call, training_flow, wait_mlflow

from conftest import (
    DOCKER,
    OUTPUT,
    PASSWORD,
    admin_client,
    approved_user,
    assert_extensions_loaded,
    group_with,
)
from harness.client import HubClient
from harness.docker_engine import IP_FORWARD, DockerEngine, why_no_engine
from harness.docker_stack import (
    HUB_IMAGE,
    NETWORK,
    NOTEBOOK,
    create_network,
    docker_mode_hub,
)
from harness.hub import REPO, Hub
from harness.postgres import Postgres
from harness.processes import wait_until

MEM_LIMIT = "1G"
VAULT_SCOPES = ["custom:secrets:read", "custom:secrets:write"]
CPU_LIMIT = "1.5"  # under the machine's 2 cores: a limit, not a slow-down of every start


@pytest.fixture(scope="module")
def engine() -> Iterator[DockerEngine]:
    reason = why_no_engine()
    if reason:
        pytest.skip(reason)
    running = DOCKER.engine()  # started with the session (conftest), or now
    yield running
    began = time.monotonic()
    DOCKER.release()  # after the build, if it still runs
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with (OUTPUT / "docker-teardown.md").open("a") as table:
        table.write(f"| stop the engine, delete its data | {time.monotonic() - began:.1f} |\n")
    # Nothing of the engine is left on the host: ip_forward as it was before it started.
    assert IP_FORWARD.read_text().strip() == running.saved_forward
    assert subprocess.run(["ip", "link", "show", "docker0"], capture_output=True).returncode
    assert not running.root.exists()


@pytest.fixture(scope="module")
def images(engine: DockerEngine) -> dict[str, str]:
    """The project's images, built from their Dockerfiles on a debootstrap base (on a
    thread since the session began: conftest.DOCKER)."""
    timings = DOCKER.images()
    sizes = {
        tag: int(engine.docker("image", "inspect", "-f", "{{.Size}}", tag).strip())
        for tag in (NOTEBOOK, HUB_IMAGE)
    }
    OUTPUT.mkdir(parents=True, exist_ok=True)
    lines = ["| step | seconds | size MB |", "| --- | ---: | ---: |"]
    for step, seconds in timings.items():
        size = f"{sizes[step] / 1e6:.0f}" if step in sizes else ""
        lines.append(f"| {step} | {seconds:.0f} | {size} |")
    (OUTPUT / "docker-images.md").write_text("\n".join(lines) + "\n")
    return {"notebook": NOTEBOOK, "hub": HUB_IMAGE}


@pytest.fixture(scope="module")
def network(engine: DockerEngine) -> Iterator[str]:
    yield create_network(engine)
    engine.docker("network", "rm", NETWORK, check=False)


@pytest.fixture(scope="module")
def docker_hub(
    engine: DockerEngine,
    images: dict[str, str],
    network: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Hub]:
    postgres = Postgres().start()
    hub = docker_mode_hub(
        engine,
        tmp_path_factory.mktemp("docker-hub"),
        network,
        postgres,
        GALILEAN_DOCKER_MEM_LIMIT=MEM_LIMIT,
        GALILEAN_DOCKER_CPU_LIMIT=CPU_LIMIT,
    )
    try:
        yield hub.start()
    finally:
        # The users' containers go first, at once (the hub would stop them one by one, each
        # with its grace period); each step's time is written for the next one to trim.
        steps: list[tuple[str, float]] = []
        began = time.monotonic()
        left = engine.docker("ps", "-aq", check=False, timeout=30).split()
        if left:
            engine.docker("rm", "-f", *left, check=False, timeout=120)
        steps.append((f"remove {len(left)} containers", time.monotonic() - began))
        began = time.monotonic()
        hub.stop()
        steps.append(("stop the hub", time.monotonic() - began))
        began = time.monotonic()
        postgres.stop()
        steps.append(("stop PostgreSQL", time.monotonic() - began))
        OUTPUT.mkdir(parents=True, exist_ok=True)
        lines = ["| teardown step | seconds |", "| --- | ---: |"]
        lines += [f"| {step} | {seconds:.1f} |" for step, seconds in steps]
        (OUTPUT / "docker-teardown.md").write_text("\n".join(lines) + "\n")


def container_of(admin: HubClient, user: str, server: str = "") -> str:
    state = admin.user_model(user)["servers"][server]["state"]
    return str(state["object_name"])


def in_container(engine: DockerEngine, container: str, script: str, timeout: float = 60) -> str:
    return engine.docker("exec", container, "bash", "-c", script, timeout=timeout).strip()


LIMITS_SCRIPT = (
    "if [ -f /sys/fs/cgroup/memory.max ]; then "  # cgroup v2
    "echo $(cat /sys/fs/cgroup/memory.max) $(cat /sys/fs/cgroup/cpu.max); else "  # v1
    "echo $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) "
    "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us); fi"
)


def limits_inside(engine: DockerEngine, container: str) -> tuple[int, float]:
    """Memory bytes and CPUs as the container's own cgroup says."""
    memory, quota, period = in_container(engine, container, LIMITS_SCRIPT).split()
    return int(memory), int(quota) / int(period)


def compose(engine: DockerEngine, env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    files = ("-f", str(REPO / "compose" / "docker-compose.yml"), "--env-file", str(env_file))
    return subprocess.run(
        ["docker", "compose", *files, *args],
        env={**engine.env, "GALILEAN_ENV_FILE": str(env_file)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_config_accepts_the_example(engine: DockerEngine, tmp_path: Path) -> None:
    example = (REPO / "stack.env.example").read_text()
    env_file = tmp_path / "stack.env"
    env_file.write_text(
        example.replace(
            "GALILEAN_POSTGRES_PASSWORD=\n", f"GALILEAN_POSTGRES_PASSWORD={os.urandom(8).hex()}\n"
        ).replace("GALILEAN_COOKIE_SECRET=\n", f"GALILEAN_COOKIE_SECRET={os.urandom(32).hex()}\n")
    )
    done = compose(engine, env_file, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    assert set(config["services"]) == {"traefik", "certs-dumper", "db", "hub"}
    hub = config["services"]["hub"]
    assert hub["environment"]["GALILEAN_MODE"] == "docker"
    assert hub["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in config["services"]["db"]
    # Backups (make stack-backup): pg_dump runs in the db's own container, archives land in
    # the repository's ./backups.
    db_container = config["services"]["db"]["container_name"]
    assert hub["environment"]["GALILEAN_BACKUP_DB_CONTAINER"] == db_container
    mounts = {m["target"]: m["source"] for m in hub["volumes"]}
    assert mounts["/srv/galilean/backups"] == str(REPO / "backups")


def test_compose_refuses_a_missing_database_password(engine: DockerEngine) -> None:
    done = compose(engine, REPO / "stack.env.example", "config")
    assert done.returncode != 0
    assert "set GALILEAN_POSTGRES_PASSWORD in stack.env" in done.stderr


def test_user_containers_spawn_and_answer(engine: DockerEngine, docker_hub: Hub) -> None:
    admin = admin_client(docker_hub)
    ana = approved_user(docker_hub, admin, "ana")
    seconds = [ana.start_server()]
    seconds.append(ana.start_server("ws"))
    for server in ("", "ws"):
        base = ana.server_url(server)
        assert ana.api("GET", f"{base}api/status").status_code == 200
        status = ana.api("GET", f"{base}galilean/status").json()
        assert status["mode"] == "docker"
        # Everything but the AI chat, which needs a model key in stack.env (none here).
        missing = [f["name"] for f in status["features"] if not f["available"]]
        assert missing == ["ai"], status
    (OUTPUT / "docker-spawn.json").write_text(json.dumps({"spawn_seconds": seconds}))

    for server in ("", "ws"):
        container = container_of(admin, "ana", server)
        # Limits as configured, read from inside the container.
        assert limits_inside(engine, container) == (1024**3, float(CPU_LIMIT))
        assert in_container(engine, container, "id -u") == "1000"
        logs = subprocess.run(
            ["docker", "logs", container], env=engine.env, capture_output=True, text=True
        )
        assert_extensions_loaded(logs.stdout + logs.stderr)


def docker_memory(engine: DockerEngine, container: str) -> int:
    """The container's memory as Docker's own accounting says (`docker stats`: usage less
    the reclaimable file cache)."""
    stats = json.loads(
        engine.docker("stats", "--no-stream", "--format", "{{json .}}", container).strip()
    )
    used = stats["MemUsage"].split("/")[0].strip()
    number = float(used.rstrip("KMGiB"))
    unit = used[len(used.rstrip("KMGiB")) :]
    factor = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}[unit]
    return int(number * factor)


def test_the_usage_dashboard_agrees_with_docker(engine: DockerEngine, docker_hub: Hub) -> None:
    """ana's two containers (started above) on the admin's usage dashboard: its memory
    within 10% of Docker's own, its limits the containers'."""
    admin = admin_client(docker_hub)

    def rows() -> dict[str, dict[str, object]]:
        reply = admin.api("GET", "/services/usage/api/summary")
        assert reply.status_code == 200, reply.text
        return {w["server"]: w for w in reply.json()["workspaces"] if w["user"] == "ana"}

    wait_until(lambda: {"", "ws"} <= set(rows()), 60, "ana's workspaces measured")
    wait_until(lambda: rows()["ws"]["memory"] is not None, 60, "a measurement")
    container = container_of(admin, "ana", "ws")
    seen: list[tuple[object, int]] = []

    def agrees() -> bool:
        """The dashboard's last measurement against Docker's now: a server's memory grows
        while it loads its deferred extensions, so the two agree once it has settled."""
        row, own = rows()["ws"], docker_memory(engine, container)
        seen.append((row["memory"], own))
        return abs(int(str(row["memory"])) - own) <= 0.1 * own

    try:
        wait_until(agrees, 180, "the dashboard's memory within 10% of Docker's", interval=3)
    except TimeoutError:
        raise AssertionError(f"dashboard and Docker (bytes), last: {seen[-3:]}") from None
    row = rows()["ws"]
    assert row["memory_limit"] == 1024**3
    assert row["cpu_limit"] == float(CPU_LIMIT)


def test_group_properties_override_limits(engine: DockerEngine, docker_hub: Hub) -> None:
    admin = admin_client(docker_hub)
    approved_user(docker_hub, admin, "ben")
    created = admin.api("POST", "/groups/big", json={"users": ["ben"]})
    assert created.status_code == 201, created.text
    patched = admin.api(
        "PUT",
        "/groups/big/properties",
        json={"galilean.mem_limit": "1.5G", "galilean.cpu_limit": 1},
    )
    assert patched.status_code == 200, patched.text
    ben = HubClient(docker_hub.url)
    assert ben.login("ben", PASSWORD)[0]
    ben.new_token()
    ben.start_server()
    container = container_of(admin, "ben", "")
    assert limits_inside(engine, container) == (int(1.5 * 1024**3), 1.0)
    ben.stop_server()


def test_home_survives_stop_and_start(engine: DockerEngine, docker_hub: Hub) -> None:
    admin = admin_client(docker_hub)
    cleo = approved_user(docker_hub, admin, "cleo")
    cleo.start_server("data")
    base = cleo.server_url("data")
    cleo.api(
        "PUT",
        f"{base}api/contents/notes.txt",
        json={"type": "file", "format": "text", "content": "kept"},
    ).raise_for_status()
    first = container_of(admin, "cleo", "data")
    in_container(engine, first, "echo 'alias ll=\"ls -l\"' >> ~/.bashrc && mkdir -p ~/.config/x")
    cleo.stop_server("data")
    assert first not in engine.docker("ps", "-a", "--format", "{{.Names}}")  # removed

    cleo.start_server("data")
    assert cleo.api("GET", f"{base}api/contents/notes.txt").json()["content"] == "kept"
    second = container_of(admin, "cleo", "data")
    assert "alias ll" in in_container(engine, second, "cat ~/.bashrc")
    assert in_container(engine, second, "test -d ~/.config/x && echo yes") == "yes"
    cleo.stop_server("data")


def test_storage_counts_volumes_and_the_shared_folder(
    engine: DockerEngine, docker_hub: Hub
) -> None:
    """Docker mode's storage: the user's workspace volumes as Docker counts them and their
    shared folder; at the quota (a group's, here) no workspace starts."""
    admin = admin_client(docker_hub)
    quinn = approved_user(docker_hub, admin, "quinn")
    quinn.start_server("lab")
    # 30 MB in the shared folder (sparse: it counts), some in the workspace's volume.
    in_container(
        engine,
        container_of(admin, "quinn", "lab"),
        "truncate -s 30M ~/shared/big.bin && head -c 2000000 /dev/zero > ~/volume.bin",
    )
    use = admin.api("GET", "/galilean/storage?user=quinn").json()
    assert use["parts"]["shared folder"] == 30 * 1024**2, use
    assert use["parts"]["workspace lab"] >= 2_000_000, use
    assert use["quota"] is None
    assert use["largest_files"][0] == {"path": "shared/big.bin", "size": 30 * 1024**2}
    quinn.stop_server("lab")

    # A group's quota below that: the start is refused, naming what to delete.
    group_with(docker_hub, "small-disk", ["quinn"])
    small = admin.api(
        "PUT", "/groups/small-disk/properties", json={"galilean.storage_quota": "20M"}
    )
    assert small.status_code == 200, small.text
    refused = quinn.api("POST", quinn.server_path("lab"))
    assert refused.status_code == 403, refused.text
    assert "of your 20.0 MB storage quota" in refused.json()["message"]
    assert "shared/big.bin 30.0 MB" in refused.json()["message"]
    assert admin.api("PUT", "/groups/small-disk/properties", json={}).status_code == 200
    quinn.start_server("lab")
    quinn.stop_server("lab")


def test_users_cannot_reach_each_other(engine: DockerEngine, docker_hub: Hub) -> None:
    admin = admin_client(docker_hub)
    dan = approved_user(docker_hub, admin, "dan")
    eva = approved_user(docker_hub, admin, "eva")
    dan.start_server()
    eva.start_server()
    dan.api(
        "PUT",
        f"{dan.server_url()}api/contents/dan-only.txt",
        json={"type": "file", "format": "text", "content": "secret"},
    ).raise_for_status()
    dans, evas = container_of(admin, "dan"), container_of(admin, "eva")

    mounts = json.loads(engine.docker("inspect", "-f", "{{json .Mounts}}", evas))
    by_place = {m["Destination"]: m for m in mounts}
    assert sorted(by_place) == ["/home/jovyan", "/home/jovyan/shared"]
    assert "dan" not in by_place["/home/jovyan"]["Name"]
    assert by_place["/home/jovyan/shared"]["Source"].endswith("/shared/eva")
    assert in_container(engine, evas, "ls -a ~ | grep -c dan-only || true") == "0"

    # jupyter-ai's unauthenticated MCP port is not open; the server's port needs a token.
    dan_ip = engine.docker(
        "inspect", "-f", f'{{{{(index .NetworkSettings.Networks "{NETWORK}").IPAddress}}}}', dans
    ).strip()
    probe = (
        "import socket,sys\n"
        f"s=socket.socket(); s.settimeout(3)\n"
        f"sys.stdout.write(str(s.connect_ex(('{dan_ip}', 3001))))"
    )
    assert in_container(engine, evas, f'python3 -c "{probe}"') != "0"
    api = in_container(
        engine,
        evas,
        f"curl -s -o /dev/null -w '%{{http_code}}' http://{dan_ip}:8888/user/dan/api/contents "
        '|| python3 -c "import urllib.request as u;'
        f"print(u.urlopen('http://{dan_ip}:8888/user/dan/api/contents').status)\" 2>&1 | tail -1",
    )
    assert "200" not in api
    dan.stop_server()
    eva.stop_server()


def test_a_shared_workspace_holds_nothing_of_its_owners(
    engine: DockerEngine, docker_hub: Hub
) -> None:
    """Issue 18, docker mode: a shared workspace's container mounts its own volume only
    (not the user's folder with the named connections), its environment has none of the
    owner's tokens, and a guest reaches it and not the owner's other workspace."""
    admin = admin_client(docker_hub)
    fay = approved_user(docker_hub, admin, "shfay")
    gus = approved_user(docker_hub, admin, "shgus")
    fay.begin_server()
    fay.begin_server("team")
    fay.wait_server("", ready=True, timeout=180)
    fay.wait_server("team", ready=True, timeout=180)
    shared = fay.api("POST", "/galilean/shares/team", json={"user": "shgus", "restart": True})
    assert shared.status_code == 200, shared.text
    fay.wait_server("team", ready=True, timeout=180)
    container = container_of(admin, "shfay", "team")
    mounts = json.loads(engine.docker("inspect", "-f", "{{json .Mounts}}", container))
    assert [m["Destination"] for m in mounts] == ["/home/jovyan"]
    lines = in_container(engine, container, "env").splitlines()
    environ = dict(line.split("=", 1) for line in lines if "=" in line)
    assert environ["GALILEAN_SHARED"] == "1"
    for name in ("GALILEAN_VAULT_TOKEN", "OPENAI_API_KEY", "MLFLOW_TRACKING_TOKEN"):
        assert environ.get(name, "") == "", name
    assert gus.api("GET", "/user/shfay/team/api/contents").status_code == 200
    assert gus.api("GET", "/user/shfay/api/contents", allow_redirects=False).status_code in (
        302,
        403,
        404,
    )
    fay.stop_server("team")
    fay.stop_server()


def test_the_hub_image_starts(engine: DockerEngine, images: dict[str, str], tmp_path: Path) -> None:
    name = "galilean-hub-smoke"
    settings = {
        "GALILEAN_MODE": "docker",
        "GALILEAN_COOKIE_SECRET": os.urandom(32).hex(),
        "GALILEAN_DB_URL": "sqlite:////srv/galilean/data/jupyterhub.sqlite",
        "GALILEAN_DOCKER_NETWORK": "galilean",
        "GALILEAN_BIND_URL": "http://0.0.0.0:8000",
    }
    env = [f"--env={key}={value}" for key, value in settings.items()]
    # No host port given: Docker picks a free one when it binds (port 0), read back below.
    engine.docker("run", "-d", "--name", name, "-p", "127.0.0.1::8000", *env, images["hub"])
    try:
        port = engine.docker("port", name, "8000/tcp").split()[0].rsplit(":", 1)[1]

        def healthy() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/hub/health", timeout=2).ok
            except requests.RequestException:
                return False

        wait_until(healthy, 90, "the hub container")
        login = requests.get(f"http://127.0.0.1:{port}/hub/login", timeout=10)
        assert "Sign up" in login.text or "signup" in login.text

        def mlflow_up() -> bool:  # the image's own MLflow environment, started by the hub
            try:
                reply = requests.get(
                    f"http://127.0.0.1:{port}/services/mlflow/galilean/health", timeout=2
                )
                return reply.ok
            except requests.RequestException:
                return False

        wait_until(mlflow_up, 180, "MLflow in the hub container")
        # Backups restore there with tarfile's extraction filters, which Debian's Python
        # (3.11.2) lacks: backports.tarfile's (tar_compat.py).
        module = (
            "from galilean_hub.tar_compat import tarfile; print(tarfile.data_filter.__module__)"
        )
        found = engine.docker("exec", name, "python", "-c", module).strip()
        assert found == "backports.tarfile", found
    finally:
        logs = subprocess.run(
            ["docker", "logs", name], env=engine.env, capture_output=True, text=True, check=False
        ).stderr
        state = engine.docker("inspect", "-f", "{{json .State}}", name, check=False)
        engine.docker("rm", "-f", name, check=False)
        # Shown when the test fails: the container's state, JupyterHub's own lines (the
        # flows service's traceback, without a Docker socket here, would fill the tail).
        print("state:", state)
        print("\n".join(line for line in logs.splitlines() if line.startswith("[")))
        print(logs[-1500:])
    assert "JupyterHub is now running at http://0.0.0.0:8000" in logs


TRACK = """
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=1 MLFLOW_HTTP_REQUEST_TIMEOUT=20
python3 - <<'PY' 2>&1 | tail -25
import os, mlflow
print("URI", os.environ.get("MLFLOW_TRACKING_URI"))
with mlflow.start_run() as run:
    mlflow.log_metric("auc", 0.8)
print("RUN", run.info.run_id)
PY
"""


def test_notebooks_in_containers_track_to_mlflow(engine: DockerEngine, docker_hub: Hub) -> None:
    """Docker mode: MLflow keeps its database next to the hub's on PostgreSQL (the gateway
    makes it) and a user's container logs a run with nothing but `import mlflow`, reaching
    the hub's MLflow by the hub's name, as its owner; another user cannot read it."""
    admin = admin_client(docker_hub)
    mel = approved_user(docker_hub, admin, "mel")
    ned = approved_user(docker_hub, admin, "ned")
    wait_mlflow(docker_hub)
    mel.start_server()
    try:
        printed = in_container(engine, container_of(admin, "mel"), TRACK, timeout=120)
        assert "RUN " in printed, printed
        run_id = printed.split("RUN ", 1)[1].split()[0]
        run = call(mel, "GET", f"{API}/runs/get?run_id={run_id}")
        assert run.status_code == 200, run.text
        assert run.json()["run"]["info"]["user_id"] == "mel"
        assert call(ned, "GET", f"{API}/runs/get?run_id={run_id}").status_code == 403
    finally:
        mel.stop_server()


def test_a_flows_training_in_a_container_is_logged_as_its_owner(
    engine: DockerEngine, docker_hub: Hub
) -> None:
    """A flow's training node runs in the owner's container (no network); the flows
    service logs it to MLflow as the owner (a scheduled retrain is such a run)."""
    admin = admin_client(docker_hub)
    tia = approved_user(docker_hub, admin, "tia")
    flows = Flows.of(tia)
    wait_mlflow(docker_hub)
    created = flows.ok("POST", "/api/flows", {"flow": training_flow()}, 201)
    run = flows.wait_run(flows.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)["id"], 180)
    assert run["status"] == "succeeded", run
    (line,) = [ln for ln in run["logs"].splitlines() if "logged to MLflow" in ln]
    run_id = line.split(" as run ")[1].split()[0]
    got = call(tia, "GET", f"{API}/runs/get?run_id={run_id}")
    assert got.status_code == 200, got.text
    assert got.json()["run"]["info"]["user_id"] == "tia"
    metrics = {m["key"]: m["value"] for m in got.json()["run"]["data"]["metrics"]}
    assert metrics == {"total": 14.0, "rows": 3.0}


SHARED_SETUP = """
cd ~/shared
printf 'region_id,amount\\n1,5\\n2,7\\n1,3\\n' > orders.csv
python3 - <<'PY'
import sqlite3
con = sqlite3.connect("shop.sqlite")
con.execute("CREATE TABLE regions (region_id INTEGER, name TEXT)")
con.executemany("INSERT INTO regions VALUES (?, ?)", [(1, "north"), (2, "south")])
con.commit()
from galilean_server.kernel.api import connections
connections.save("shop", url="sqlite:///shop.sqlite")
PY
"""


def test_flows_run_on_the_users_shared_folder(engine: DockerEngine, docker_hub: Hub) -> None:
    """A file and a named connection made in one workspace are seen by the user's other
    workspaces and by the flows service, which runs in the hub, not in the container."""
    admin = admin_client(docker_hub)
    fay = approved_user(docker_hub, admin, "fay")
    fay.start_server()
    fay.start_server("other")
    first, other = container_of(admin, "fay"), container_of(admin, "fay", "other")
    in_container(engine, first, SHARED_SETUP)
    listed = in_container(engine, other, "ls ~/shared ~/shared/.galilean")
    assert {"orders.csv", "shop.sqlite", "connections.json"} <= set(listed.split())

    wait_ready(docker_hub.url)
    flow = {
        "galilean_flow": 1,
        "name": "shared folder",
        "nodes": [
            {"id": "orders", "kind": "source.file", "params": {"path": "orders.csv"}},
            {
                "id": "regions",
                "kind": "source.sql_table",
                "params": {"connection": "shop", "table": "regions"},
            },
            {
                "id": "joined",
                "kind": "transform.join",
                "params": {"how": "inner", "on": [{"left": "region_id", "right": "region_id"}]},
            },
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        "edges": [
            {"id": "a", "from": {"node": "orders"}, "to": {"node": "joined", "port": "left"}},
            {"id": "b", "from": {"node": "regions"}, "to": {"node": "joined", "port": "right"}},
            {"id": "c", "from": {"node": "joined"}, "to": {"node": "out"}},
        ],
    }
    flows = Flows.of(fay)
    created = flows.ok("POST", "/api/flows", {"flow": flow}, 201)
    started = flows.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)
    run = flows.wait_run(started["id"])
    assert run["status"] == "succeeded", run
    out = run["outputs"]["out"]
    names = [c["name"] for c in out["columns"]]
    rows = sorted(dict(zip(names, row, strict=True))["name"] for row in out["rows"])
    assert rows == ["north", "north", "south"]
    fay.stop_server("other")
    fay.stop_server()


DOCKER_PROBES = """
import os, socket
import pandas as pd

def attempt(action):
    try:
        return "ESCAPED " + repr(action())[:100]
    except BaseException as exc:
        return "refused " + type(exc).__name__

def transform(df):
    return pd.DataFrame({
        "probe": ["uid", "docker socket", "hub data", "other users", "hub port", "shadow"],
        "result": [
            str(os.getuid()),
            attempt(lambda: open("/var/run/docker.sock", "rb")),
            attempt(lambda: os.listdir(%(data)r)),
            attempt(lambda: [u for u in os.listdir(%(shared)r) if u != "gil"] or 1 / 0),
            attempt(lambda: socket.create_connection((%(hub_ip)r, %(hub_port)d), 3)),
            attempt(lambda: open("/etc/shadow").read()),
        ],
    })
"""


def test_docker_mode_flows_run_in_a_container_as_the_user(
    engine: DockerEngine, docker_hub: Hub
) -> None:
    """Runs and endpoints execute in containers from the user's image, as uid 1000, with
    only the user's folder and no network; the service itself runs no user code."""
    admin = admin_client(docker_hub)
    flows = Flows.of(approved_user(docker_hub, admin, "gil"))
    # gil's group gives their containers 768 MB and 0.25 CPU: their flows get the same.
    assert admin.api("POST", "/groups/small", json={"users": ["gil"]}).status_code == 201
    limits = {"galilean.mem_limit": "768M", "galilean.cpu_limit": 0.25}
    assert admin.api("PUT", "/groups/small/properties", json=limits).status_code == 200
    folder = Path(docker_hub.env["GALILEAN_DOCKER_SHARED_DIR"]) / "gil"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rows.csv").write_text("n\n1\n2\n")
    code = DOCKER_PROBES % {
        "data": str(docker_hub.data_dir),
        "shared": str(folder.parent),
        "hub_ip": docker_hub.env["GALILEAN_HUB_IP"],
        "hub_port": int(docker_hub.url.rsplit(":", 1)[1].split("/")[0]),
    }
    flow = {
        "galilean_flow": 1,
        "name": "probes",
        "nodes": [
            {"id": "rows", "kind": "source.file", "params": {"path": "rows.csv"}},
            {"id": "py", "kind": "transform.python", "params": {"code": code}},
            {"id": "out", "kind": "destination.display", "params": {}},
            {"id": "save", "kind": "destination.file", "params": {"path": "probes.parquet"}},
        ],
        "edges": [
            {"id": "a", "from": {"node": "rows"}, "to": {"node": "py"}},
            {"id": "b", "from": {"node": "py"}, "to": {"node": "out"}},
            {"id": "c", "from": {"node": "py"}, "to": {"node": "save"}},
        ],
    }
    created = flows.ok("POST", "/api/flows", {"flow": flow}, 201)
    run = flows.wait_run(flows.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)["id"])
    assert run["status"] == "succeeded", run
    results = dict(run["outputs"]["out"]["rows"])
    assert results.pop("uid") == "1000"
    for probe, result in results.items():
        assert result.startswith("refused"), (probe, result)
    assert (folder / "probes.parquet").stat().st_uid == 1000  # the user's file, not root's
    flows.ok("PUT", f"/api/flows/{created['id']}/endpoint", {"name": "probes"})
    called = flows.ok("POST", "/execute/probes")
    assert dict(called["results"]["out"]["rows"][0].items())["probe"] == "uid"
    labelled = engine.docker("ps", "-q", "--filter", "label=galilean.flows.service").split()
    assert labelled, "the endpoint's worker is a container"
    memory, cpus = engine.docker(
        "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", labelled[0]
    ).split()
    assert (int(memory), int(cpus)) == (768 * 1024**2, 250_000_000)


def test_docker_mode_replays_the_escapes(engine: DockerEngine, docker_hub: Hub) -> None:
    """The embedded hostile suite's file escapes, in docker mode: a saved DuckDB
    connection reading files, another user's file through a symlinked glob or a `..`
    parameter; each run fails and another user's canary never appears. Then a run's
    container killed mid-write: no partial file, the earlier output intact, no container."""
    admin = admin_client(docker_hub)
    flows = Flows.of(approved_user(docker_hub, admin, "hal"))
    root = Path(docker_hub.env["GALILEAN_DOCKER_SHARED_DIR"])
    mine, theirs = root / "hal", root / "ivy"
    for folder in (mine / ".galilean", theirs):
        folder.mkdir(parents=True, exist_ok=True)
    canary = "CANARY-" + os.urandom(8).hex()
    (theirs / "secret.txt").write_text(canary)
    (theirs / "theirs.parquet").write_text(canary)
    (mine / ".galilean" / "connections.json").write_text(
        json.dumps({"connections": {"mem": {"url": "duckdb:///:memory:"}}})
    )
    link = mine / "theirs1.parquet"
    link.unlink(missing_ok=True)
    link.symlink_to(theirs / "theirs.parquet")

    def source(kind: str, params: dict[str, object]) -> dict[str, object]:
        return document(
            [
                {"id": "s", "kind": kind, "params": params},
                {"id": "out", "kind": "destination.display", "params": {}},
            ],
            [("s", "out")],
            parameters=[{"name": "file", "type": "string", "default": "x.csv"}],
        )

    def query(sql: str) -> dict[str, object]:
        return source("source.sql_query", {"connection": "mem", "query": sql})

    attempts = [
        query(f"SELECT read_text('{theirs / 'secret.txt'}') t"),
        query("SELECT read_text('/etc/shadow') t"),
        source("source.file", {"path": "theirs*.parquet"}),
        source("source.file", {"path": {"$param": "file"}, "format": "csv"}),
    ]
    for flow in attempts:
        created = flows.ok("POST", "/api/flows", {"flow": flow}, 201)
        params = {"file": "../ivy/secret.txt"}
        run = flows.wait_run(
            flows.ok("POST", f"/api/flows/{created['id']}/runs", {"params": params}, 202)["id"]
        )
        assert run["status"] == "failed", run
        assert canary not in json.dumps(run)

    run_id = start_and_catch_writing(flows, big_copy(mine), mine)
    containers = engine.docker(
        "ps", "-q", "--filter", f"label=galilean.flows.job=run-{run_id}"
    ).split()
    assert len(containers) == 1, containers
    engine.docker("kill", containers[0])
    assert_killed_cleanly(flows, run_id, mine, "killed by signal SIGKILL")
    left = engine.docker("ps", "-aq", "--filter", f"label=galilean.flows.job=run-{run_id}")
    assert not left.split()


def test_backup_wipe_restore_in_docker_mode(engine: DockerEngine, docker_hub: Hub) -> None:
    """The drill in docker mode (last: it wipes the engine's and the hub's state): a user's
    workspace volume, their shared folder, a flow with a schedule, a secret; back up while
    the hub runs; stop everything, delete every container, volume, database and the data
    folder; restore; the hub starts again and everything is back, the home's files still
    the user's (uid 1000) inside the new container. PostgreSQL is dumped and restored by
    the tools of a container (GALILEAN_BACKUP_DB_CONTAINER), as compose's db service's are:
    here the hub image's, on the host's network, where the test's PostgreSQL listens."""
    tools = "galilean-pg-tools"
    engine.docker(
        "run", "-d", "--name", tools, "--network", "host", "--entrypoint", "sleep",
        HUB_IMAGE, "infinity",
    )  # fmt: skip
    in_tools = {"GALILEAN_BACKUP_DB_CONTAINER": tools}
    admin = admin_client(docker_hub)
    dora = approved_user(docker_hub, admin, "dora")
    workspace_with_a_file(dora, "notes", "still here")
    first = container_of(admin, "dora", "notes")
    in_container(engine, first, "echo shared-kept > ~/shared/data.txt && ln -s kept.txt ~/link")
    dora.stop_server("notes")
    wait_ready(docker_hub.url)
    flows = Flows.of(dora)
    flow = flows.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)
    flows.ok("PUT", f"/api/flows/{flow['id']}/schedule", {"cron": "0 6 * * *"})
    vault = HubClient(docker_hub.url)
    assert vault.login("dora", PASSWORD)[0]
    vault.new_token("vault", scopes=VAULT_SCOPES)
    saved = vault.api("PUT", "/galilean/secrets/DRILL_KEY", json={"value": "drill-9d2e"})
    assert saved.status_code == 201, saved.text

    backups = docker_hub.workdir / "backups"
    made = backup_command(
        docker_hub, "create", "--to", str(backups), "--with-secrets", env=in_tools
    )
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip())
    assert "volumes/galilean-dora__notes" in made.stderr, made.stderr
    assert "files/shared" in made.stderr
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        home = tar.getmember("volumes/galilean-dora__notes/kept.txt")
        assert home.uid == 1000, home  # as the volume has it
        assert tar.getmember("volumes/galilean-dora__notes/link").issym()
    databases = [p["name"] for p in manifest["parts"] if p["kind"] == "postgres"]
    assert databases, manifest["parts"]

    # The disk is gone: the hub, every container and volume, the databases, the folders.
    docker_hub.stop()
    left = [c for c in engine.docker("ps", "-a", "--format", "{{.Names}}").split() if c != tools]
    if left:
        engine.docker("rm", "-f", *left, timeout=120)
    volumes = engine.docker("volume", "ls", "-q", "--filter", "name=galilean-").split()
    engine.docker("volume", "rm", *volumes)
    url = docker_hub.env["GALILEAN_DB_URL"]
    for name in databases:
        drop_database(url.rsplit("/", 1)[0] + "/" + name.split("/")[1].removesuffix(".pgdump"))
    shutil.rmtree(docker_hub.data_dir)
    shutil.rmtree(docker_hub.env["GALILEAN_DOCKER_SHARED_DIR"])

    restored = backup_command(docker_hub, "restore", str(archive), env=in_tools)
    assert restored.returncode == 0, restored.stderr
    assert "restored: volumes/galilean-dora__notes -> volume galilean-dora__notes" in (
        restored.stdout
    )
    docker_hub.start()
    wait_ready(docker_hub.url)
    dora = HubClient(docker_hub.url)
    assert dora.login("dora", PASSWORD)[0]
    dora.new_token()
    dora.start_server("notes")
    base = dora.server_url("notes")
    assert dora.api("GET", f"{base}api/contents/kept.txt").json()["content"] == "still here"
    assert dora.api("GET", f"{base}api/contents/shared/data.txt").json()["content"].strip() == (
        "shared-kept"
    )
    again = container_of(admin_client(docker_hub), "dora", "notes")
    owners = in_container(engine, again, "stat -c %u ~/kept.txt ~/shared/data.txt; readlink ~/link")
    assert owners.split() == ["1000", "1000", "kept.txt"], owners
    flows = Flows.of(dora)
    assert flows.ok("GET", f"/api/flows/{flow['id']}/schedule")["cron"] == "0 6 * * *"
    vault = HubClient(docker_hub.url)
    assert vault.login("dora", PASSWORD)[0]
    vault.new_token("vault", scopes=VAULT_SCOPES)
    assert vault.api("GET", "/galilean/secrets/DRILL_KEY").json()["value"] == "drill-9d2e"
    in_container(engine, again, "echo changed since > ~/kept.txt")

    # Again over this data: refused while a container uses the volume (a workspace left
    # running: the hub stops its own when it stops), even with --force; then what it
    # replaces is copied aside.
    docker_hub.stop()
    busy = "galilean-busy"
    mount = ["-v", "galilean-dora__notes:/home/jovyan"]
    engine.docker("run", "-d", "--name", busy, *mount, "--entrypoint", "sleep", NOTEBOOK, "1h")
    refused = backup_command(docker_hub, "restore", str(archive), "--force", env=in_tools)
    assert refused.returncode == 2
    in_use = f"volume galilean-dora__notes is used by running containers ({busy})"
    assert in_use in refused.stderr, refused.stderr
    engine.docker("rm", "-f", busy, timeout=120)
    forced = backup_command(docker_hub, "restore", str(archive), "--force", env=in_tools)
    assert forced.returncode == 0, forced.stderr
    # Every volume the archive holds had data (other tests' users' too): each copied aside.
    volumes = engine.docker("volume", "ls", "-q").split()
    aside = [v for v in volumes if v.startswith("galilean-dora__notes.before-restore-")]
    assert len(aside) == 1, volumes
    read = "cat /a/kept.txt /b/kept.txt"
    mounts = ["-v", f"{aside[0]}:/a:ro", "-v", "galilean-dora__notes:/b:ro"]
    both = engine.docker("run", "--rm", *mounts, "--entrypoint", "sh", NOTEBOOK, "-c", read)
    assert both.split("\n")[:2] == ["changed since", "still here"], both
