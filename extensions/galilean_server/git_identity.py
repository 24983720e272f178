"""A git identity for a user who has none: jupyterlab-git's *Initialize a Repository*
makes a first, empty commit, which git refuses without a name and an e-mail ("Author
identity unknown"), so a new user's first click would fail. At server start the user's
global git config (in their home) gets `user.name` (their hub name) and `user.email`
(`<name>@galilean.invalid`: a reserved domain, never a real address), each only where it
is not set; a user's own settings (`git config --global user.email me@example.org`, or
jupyterlab-git's identity dialog) are never replaced.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)
EMAIL_DOMAIN = "galilean.invalid"


def _git_config(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home)}
    env.pop("GIT_CONFIG_GLOBAL", None)
    return subprocess.run(
        ["git", "config", "--global", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def ensure_git_identity(user: str, home: Path) -> list[str]:
    """Set the user's git name and e-mail where unset; returns the keys it set."""
    if not user or shutil.which("git") is None:
        return []
    wanted = {"user.name": user, "user.email": f"{user}@{EMAIL_DOMAIN}"}
    set_now = []
    for key, value in wanted.items():
        if _git_config(home, "--get", key).stdout.strip():
            continue
        done = _git_config(home, key, value)
        if done.returncode != 0:
            log.warning("galilean: git's %s not set: %s", key, done.stderr.strip())
            continue
        set_now.append(key)
    return set_now


def set_up_git_identity(user: str, home: Path) -> None:
    """At server start; a home that cannot be written is logged, never fatal."""
    try:
        set_now = ensure_git_identity(user, home)
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("galilean: git identity not set: %s", error)
        return
    if set_now:
        log.info("galilean: git %s set for %s (change with git config --global)", set_now, user)
