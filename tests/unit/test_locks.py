"""One requirements list serves the embedded environment and the images: the locks agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.hub import REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\],]+)==([^\s;]+)", re.M)


def pins(path: Path) -> dict[str, str]:
    return {
        re.sub(r"\[.*\]", "", name).lower().replace("_", "-"): version
        for name, version in PIN.findall(path.read_text())
    }


@pytest.mark.parametrize("side", ["hub", "user"])
def test_side_lock_matches_the_dev_lock(side: str) -> None:
    dev = pins(REPO / "requirements" / "dev.lock.txt")
    locked = pins(REPO / "requirements" / f"{side}.lock.txt")
    assert locked, f"{side}.lock.txt pins nothing"
    differing = {name: (v, dev.get(name)) for name, v in locked.items() if dev.get(name) != v}
    assert not differing, f"{side}.lock.txt and dev.lock.txt disagree: {differing}"


def test_version_traps_are_pinned() -> None:
    user = pins(REPO / "requirements" / "user.lock.txt")
    hub = pins(REPO / "requirements" / "hub.lock.txt")
    assert hub["jupyterhub"].startswith("5.5.")  # NativeAuthenticator 1.3 vs JupyterHub 6
    assert user["jupyter-ai"] == "3.2.0"
    assert user["jupyter-collaboration"] == "5.0.4"
    assert int(user["pandas"].split(".")[0]) < 3  # ydata-profiling
    assert int(user["setuptools"].split(".")[0]) < 81  # pkg_resources for ydata-profiling
