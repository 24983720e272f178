"""Bad settings stop the hub at start with one line saying what to set."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

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
