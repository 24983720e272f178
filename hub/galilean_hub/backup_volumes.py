"""Docker mode's users' volumes in a backup, through the Docker API only: the hub reaches
the engine, not the volumes' folders (in compose it runs in a container; a volume's
folder belongs to the engine).

A volume is read with `GET /containers/<id>/archive` of a helper container that mounts it
read-only and is never started, and written back with `PUT …/archive` into a helper that
mounts it; the helpers use the notebook image (the hub's `GALILEAN_DOCKER_IMAGE`, which
the engine has) and are removed at once. Owners, modes and times are kept as the
archive's members say.
"""

from __future__ import annotations

import functools
import io
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .backup_parts import BackupError
from .tar_compat import tarfile

# DockerSpawner's volumes: galilean-{username}__{servername} (config.py), both escaped to
# letters, digits, '-' and '_' ('__' cannot occur inside either). Compose's own volumes are
# galilean_<name>, and what a restore sets aside has a '.' in its name: not users'.
USERS_VOLUME = re.compile(r"^galilean-[A-Za-z0-9_-]+__[A-Za-z0-9_-]*$")
MOUNT = "/galilean-volume"
# Where a volume is written: the notebook image's home, as DockerSpawner mounts it, so a
# new volume starts as a first workspace start makes it (Docker copies the image's home,
# owned by its user, into an empty volume) before the archive's files go over it.
HOME = "/home/jovyan"
ASIDE = "/galilean-aside"
TIMEOUT = 3600  # seconds a volume's copy may take


@functools.cache
def docker_client() -> Any:
    """One client per backup or restore (it holds a connection pool)."""
    import docker

    try:
        client = docker.from_env(timeout=TIMEOUT)
        client.ping()
    except Exception as exc:  # the engine's address, never a secret
        raise BackupError(f"the Docker engine cannot be reached ({exc})") from None
    return client


@contextmanager
def engine_errors(what: str) -> Iterator[None]:
    """The engine's refusals (and a stream cut off) as a BackupError saying what failed."""
    import docker
    import requests

    try:
        yield
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise BackupError(f"{what}: the Docker engine said {exc}") from None


def users_volumes() -> list[str]:
    """The users' workspace volumes the engine has, by name."""
    with engine_errors("listing the volumes"):
        names = [volume.name for volume in docker_client().volumes.list()]
    return sorted(name for name in names if USERS_VOLUME.match(name))


def _created(image: str, volumes: dict[str, dict[str, str]], what: str, **options: Any) -> Any:
    """A helper container of the notebook image, with no network, labelled with its job."""
    with engine_errors(f"a helper container for {what} ({image})"):
        return docker_client().containers.create(
            image,
            name=f"galilean-backup-{secrets.token_hex(4)}",
            volumes=volumes,
            network_disabled=True,
            labels={"galilean.backup": what},
            **options,
        )


@contextmanager
def helper(image: str, volume: str, read_only: bool, at: str = MOUNT) -> Iterator[Any]:
    """A container (created, not started) that mounts `volume` at `at`."""
    mount = {volume: {"bind": at, "mode": "ro" if read_only else "rw"}}
    container = _created(image, mount, f"volume {volume!r}", command=["true"])
    try:
        yield container
    finally:
        container.remove(force=True)


class Chunks(io.RawIOBase):
    """Docker's stream of bytes chunks as a file, for tarfile to read in order."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.left:
            try:
                self.left = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.left))
        buffer[:size] = self.left[:size]
        self.left = self.left[size:]
        return size


@contextmanager
def volume_tar(image: str, volume: str) -> Iterator[tarfile.TarFile]:
    """The volume's tree as a tar stream, read in order; members are named `<MOUNT's last
    part>/…` as Docker writes them."""
    with (
        engine_errors(f"reading volume {volume!r}"),
        helper(image, volume, read_only=True) as container,
    ):
        chunks, _ = container.get_archive(MOUNT)
        stream = iter(chunks)
        try:
            raw = io.BufferedReader(Chunks(stream), buffer_size=1 << 20)
            with tarfile.open(fileobj=raw, mode="r|") as tar:
                yield tar
        finally:  # the rest read, so the engine lets the helper go (see volume_has_data)
            for _ in stream:
                pass


def _found(lookup: Callable[[str], Any], name: str, what: str) -> bool:
    """Whether the engine has it (a volume, an image) by name."""
    import docker

    with engine_errors(what):
        try:
            lookup(name)
        except docker.errors.NotFound:  # ImageNotFound too
            return False
    return True


def volume_exists(volume: str) -> bool:
    return _found(docker_client().volumes.get, volume, f"volume {volume!r}")


def volume_has_data(image: str, volume: str) -> bool:
    """The volume exists and holds anything (a restore would replace it)."""
    if not volume_exists(volume):
        return False
    # A helper that looks (not a partly read archive: the engine holds the container while
    # it sends one, and removing the helper then waits for a reader who has gone).
    with engine_errors(f"looking into volume {volume!r}"):
        listed = _run(
            image,
            {volume: {"bind": MOUNT, "mode": "ro"}},
            f"find {MOUNT} -mindepth 1 -maxdepth 1 | head -n 1",
            f"looking into volume {volume!r}",
        )
    return bool(listed.strip())


def image_present(image: str) -> bool:
    return _found(docker_client().images.get, image, f"the image {image!r}")


def containers_using(volume: str) -> list[str]:
    """Running containers that mount the volume (a workspace that was not stopped)."""
    with engine_errors(f"the containers of volume {volume!r}"):
        found = docker_client().containers.list(filters={"volume": volume})
    return sorted(str(container.name) for container in found)


def _run(image: str, volumes: dict[str, dict[str, str]], script: str, what: str) -> str:
    """A helper that runs `script` as root with these volumes, and is removed; returns
    what it printed."""
    container = _created(
        image, volumes, what, entrypoint=["/bin/sh", "-c"], command=[script], user="0"
    )
    try:
        container.start()
        status = container.wait(timeout=TIMEOUT)
        said = container.logs(stdout=True, stderr=True).decode(errors="replace")
        if status.get("StatusCode") != 0:
            raise BackupError(f"{what} failed: {said.strip()[-500:] or status}")
        return str(said)
    finally:
        container.remove(force=True)


def set_aside(image: str, volume: str, aside: str) -> None:
    """Copy the volume into a new volume `aside`, then empty it (a restore's --force: what
    it replaces is kept, never deleted)."""
    with engine_errors(f"copying volume {volume!r} aside"):
        docker_client().volumes.create(aside)
        _run(
            image,
            {volume: {"bind": MOUNT, "mode": "rw"}, aside: {"bind": ASIDE, "mode": "rw"}},
            f"cp -a {MOUNT}/. {ASIDE}/ && find {MOUNT} -mindepth 1 -delete",
            f"moving volume {volume!r} aside",
        )


def write_volume(image: str, volume: str, tree: Path) -> None:
    """The volume holds what the tar file `tree` holds (members named relative to the
    volume's root, `.` the root itself), owners and modes as the tar says. A missing
    volume is made by the helper's mount."""
    with (
        engine_errors(f"writing volume {volume!r}"),
        helper(image, volume, read_only=False, at=HOME) as container,
        tree.open("rb") as data,
    ):
        if not container.put_archive(HOME, data):
            raise BackupError(f"the Docker engine refused the files of volume {volume!r}")
