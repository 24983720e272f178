"""Bad settings stop the hub at start with one line saying what to set."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from galilean_hub.root_guard import refuse_root
from galilean_hub.settings import ConfigError, Settings
from harness.hub import CONFIG, JUPYTERHUB, hub_environment


def run_hub(tmp_path: Path, **overrides: str) -> tuple[int, list[str]]:
    env = hub_environment(tmp_path, overrides)
    done = subprocess.run(
        [str(JUPYTERHUB), "-f", str(CONFIG)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    galilean_lines = [line for line in done.stderr.splitlines() if line.startswith("galilean:")]
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, galilean_lines


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"GALILEAN_MODE": "swarm"}, "GALILEAN_MODE='swarm' is not valid: use one of embedded"),
        (
            {"GALILEAN_MODE": "docker"},
            "GALILEAN_COOKIE_SECRET, GALILEAN_DB_URL, GALILEAN_DOCKER_NETWORK are required "
            "in docker mode",
        ),
        ({"GALILEAN_LOGIN_MAX_FAILURES": "three"}, "GALILEAN_LOGIN_MAX_FAILURES='three'"),
    ],
)
def test_bad_settings_stop_the_hub_with_one_line(
    tmp_path: Path, overrides: dict[str, str], expected: str
) -> None:
    code, lines = run_hub(tmp_path, **overrides)
    assert code != 0
    assert len(lines) == 1, lines
    assert expected in lines[0]


def test_unwritable_data_folder_stops_the_hub(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, lines = run_hub(tmp_path, GALILEAN_DATA_DIR=str(blocker / "var"))
    assert code != 0
    assert len(lines) == 1, lines
    assert "GALILEAN_DATA_DIR=" in lines[0]
    assert "is not a writable folder" in lines[0]
    assert "set GALILEAN_DATA_DIR" in lines[0]


def test_read_only_data_folder_stops_the_hub(tmp_path: Path) -> None:
    # /proc refuses new folders even to root.
    code, lines = run_hub(tmp_path, GALILEAN_DATA_DIR="/proc/galilean-var")
    assert code != 0
    assert "GALILEAN_DATA_DIR='/proc/galilean-var' is not a writable folder" in lines[0]


def test_missing_env_file_named_by_variable(tmp_path: Path) -> None:
    code, lines = run_hub(tmp_path, GALILEAN_ENV_FILE=str(tmp_path / "nope.env"))
    assert code != 0
    assert "GALILEAN_ENV_FILE=" in lines[0]
    assert "does not exist" in lines[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the refusal is about running as root")
def test_embedded_mode_refuses_root_without_allow_root(tmp_path: Path) -> None:
    code, lines = run_hub(tmp_path, GALILEAN_ALLOW_ROOT="false")
    assert code != 0
    assert len(lines) == 1, lines
    assert "refusing to start embedded mode as root" in lines[0]
    assert "each user's code (kernels, terminals) would run as root" in lines[0]
    assert "GALILEAN_ALLOW_ROOT=true" in lines[0]
    assert not (tmp_path / "var").exists()  # refused before anything was made


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the refusal is about running as root")
def test_docker_mode_as_root_is_not_refused(tmp_path: Path) -> None:
    code, lines = run_hub(tmp_path, GALILEAN_MODE="docker", GALILEAN_ALLOW_ROOT="false")
    assert code != 0  # for what docker mode is missing here, not for root
    assert len(lines) == 1, lines
    assert "required in docker mode" in lines[0]


@pytest.mark.parametrize(
    ("mode", "euid", "allow", "refused"),
    [
        ("embedded", 0, False, True),
        ("embedded", 0, True, False),
        ("embedded", 1000, False, False),
        ("docker", 0, False, False),
    ],
)
def test_root_guard(mode: str, euid: int, allow: bool, refused: bool) -> None:
    settings = Settings(mode=mode, allow_root=allow)
    if refused:
        with pytest.raises(ConfigError, match="GALILEAN_ALLOW_ROOT=true"):
            refuse_root(settings, euid=lambda: euid)
    else:
        warnings = refuse_root(settings, euid=lambda: euid)
        assert bool(warnings) == (mode == "embedded" and euid == 0)
