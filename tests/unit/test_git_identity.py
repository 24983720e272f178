"""A new user's git identity (galilean_server/git_identity.py), with the real git: set
where missing, never over the user's own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from galilean_server.git_identity import ensure_git_identity

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git_config(home: Path, key: str) -> str:
    env = {**os.environ, "HOME": str(home)}
    env.pop("GIT_CONFIG_GLOBAL", None)
    got = subprocess.run(
        ["git", "config", "--global", "--get", key], env=env, capture_output=True, text=True
    )
    return got.stdout.strip()


def test_a_new_home_gets_a_name_and_an_address_that_can_commit(tmp_path: Path) -> None:
    assert ensure_git_identity("ann", tmp_path) == ["user.name", "user.email"]
    assert git_config(tmp_path, "user.name") == "ann"
    assert git_config(tmp_path, "user.email") == "ann@galilean.invalid"
    # What jupyterlab-git's "Initialize a Repository" does: init, then an empty commit.
    repo = tmp_path / "project"
    repo.mkdir()
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("GIT_CONFIG_GLOBAL", None)
    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True)
    done = subprocess.run(
        ["git", "commit", "--allow-empty", "-q", "-m", "First Commit"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert ensure_git_identity("ann", tmp_path) == []  # the next start changes nothing


def test_the_users_own_identity_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".gitconfig").write_text("[user]\n\temail = ann@example.org\n")
    assert ensure_git_identity("ann", tmp_path) == ["user.name"]
    assert git_config(tmp_path, "user.email") == "ann@example.org"
    assert ensure_git_identity("", tmp_path) == []  # no user (outside the hub): nothing
