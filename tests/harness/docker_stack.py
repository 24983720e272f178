"""The pieces of the Docker path that tests and benchmarks share: images, network, hub."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from .docker_engine import BUILD_NICENESS, DockerEngine
from .hub import REPO, Hub
from .postgres import Postgres
from .processes import pick_port

NOTEBOOK = "galilean/notebook:test"
HUB_IMAGE = "galilean/hub:test"
NETWORK = "galilean-test"


def build_images(engine: DockerEngine) -> dict[str, float]:
    """Base image (debootstrap), wheels, then both images from their Dockerfiles.
    Returns seconds per step. Outside CI the debootstrap tarball is cached."""
    timings: dict[str, float] = {}
    began = time.monotonic()
    cache = None if os.environ.get("CI") else Path.home() / ".cache" / "galilean"
    base = engine.make_base_image(cache)
    timings["base image (debootstrap + import)"] = time.monotonic() - began
    wheels = ["nice", "-n", str(BUILD_NICENESS), "make", "-C", str(REPO), "--no-print-directory"]
    wheels.append("wheels")
    made = subprocess.run(wheels, capture_output=True, text=True, check=False)  # on a thread:
    if made.returncode != 0:  # its output would land among the other tests' dots
        raise RuntimeError(f"make wheels failed:\n{made.stdout[-2000:]}{made.stderr[-2000:]}")
    extra_ca = REPO / "images" / "extra-ca"
    for cert in Path("/usr/local/share/ca-certificates").glob("*.crt"):
        shutil.copy(cert, extra_ca / cert.name)
    for tag, folder in ((NOTEBOOK, "notebook"), (HUB_IMAGE, "hub")):
        began = time.monotonic()
        dockerfile = str(REPO / "images" / folder / "Dockerfile")
        arguments = ("--build-arg", f"BASE_IMAGE={base}", "-f", dockerfile, "-t", tag)
        engine.docker("build", *arguments, str(REPO), timeout=1800)
        timings[tag] = time.monotonic() - began
    return timings


def create_network(engine: DockerEngine) -> str:
    """The user containers' network; returns its gateway (the host as containers see it)."""
    engine.docker("network", "create", NETWORK)
    return engine.docker(
        "network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", NETWORK
    ).strip()


def docker_mode_hub(
    engine: DockerEngine, workdir: Path, gateway: str, postgres: Postgres, **overrides: str
) -> Hub:
    """The hub on the host in docker mode, spawning galilean/notebook:test containers."""
    settings = {
        "GALILEAN_MODE": "docker",
        # The proxy listens on the bridge's gateway, as compose's hub listens on its network:
        # user containers reach the hub's services (MLflow, the bridges) through it.
        "GALILEAN_BIND_URL": f"http://{gateway}:{pick_port()}",
        "GALILEAN_DB_URL": postgres.url(),
        "GALILEAN_COOKIE_SECRET": os.urandom(32).hex(),
        "GALILEAN_DOCKER_IMAGE": NOTEBOOK,
        "GALILEAN_DOCKER_NETWORK": NETWORK,
        "GALILEAN_HUB_IP": gateway,
        "GALILEAN_CULL_IDLE_SECONDS": "0",
        # The hub runs on the host here: the host's path is the hub's path.
        "GALILEAN_DOCKER_SHARED_DIR": str(workdir / "shared"),
        "DOCKER_HOST": engine.host,
        # MLflow's database next to the hub's on PostgreSQL; notebooks in containers log to it.
        "GALILEAN_MLFLOW_ENABLED": "true",
        **overrides,
    }
    return Hub(workdir, **settings)
