"""pg_dump and pg_restore in the database's own container (compose's db service), through
the Docker API: `exec` with the password in the exec's environment (never its command
line), the dump streamed out of its standard output, a dump to restore copied in with
`PUT …/archive` and removed afterwards."""

from __future__ import annotations

import contextlib
import secrets
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .backup_parts import BackupError
from .backup_volumes import docker_client, engine_errors
from .tar_compat import tarfile

# The dump to restore, in the database container's own /tmp under a random name.
INSIDE = "/tmp"  # noqa: S108


def _container(name: str) -> Any:
    import docker

    with engine_errors(f"container {name!r}"):
        try:
            return docker_client().containers.get(name)
        except docker.errors.NotFound:
            raise BackupError(
                f"no container {name!r} (GALILEAN_BACKUP_DB_CONTAINER): is the database running?"
            ) from None


def run_in(
    name: str,
    url: str,
    command: list[str],
    env: dict[str, str],
    args: Sequence[str],
    out: IO[bytes] | None = None,
) -> None:
    """Run the tool in the container; its standard output into `out` (or dropped). What it
    says on failure is shown with the URL's password masked."""
    from .backup_postgres import _failed

    container = _container(name)
    api = container.client.api
    said = bytearray()
    with engine_errors(f"{command[0]} in container {name!r}"):
        made = api.exec_create(container.id, [*command, *args], environment=env)
        for stdout, stderr in api.exec_start(made["Id"], stream=True, demux=True):
            if stdout and out is not None:
                out.write(stdout)
            if stderr:
                said = (said + stderr)[-4000:]
        code = exit_code(api, made["Id"])
    if code != 0:
        _failed(command[0], url, said.decode(errors="replace").strip())


def exit_code(api: Any, exec_id: str) -> int | None:
    """The exec's exit code once the engine has it (its output can end a moment before)."""
    for _ in range(50):
        state = api.exec_inspect(exec_id)
        if not state.get("Running"):
            code: int | None = state.get("ExitCode")
            return code
        time.sleep(0.1)
    return None


@contextmanager
def copied_in(name: str, dumped: Path) -> Iterator[str]:
    """The dump in the container's /tmp for the time of the block; yields its path there."""
    container = _container(name)
    inside = f"galilean-restore-{secrets.token_hex(6)}.pgdump"
    with tempfile.TemporaryFile() as data:  # a tar of one file: the dump, as large as it is
        with tarfile.open(fileobj=data, mode="w") as tar, dumped.open("rb") as source:
            info = tar.gettarinfo(fileobj=source, arcname=inside)
            info.uid = info.gid = 0
            info.mode = 0o644  # the server's account (postgres) reads it
            tar.addfile(info, source)
        data.seek(0)
        try:
            with engine_errors(f"copying the dump into container {name!r}"):
                if not container.put_archive(INSIDE, data):
                    raise BackupError(f"the dump could not be copied into container {name!r}")
        except BackupError:  # a part of it may be there
            with contextlib.suppress(Exception):
                container.exec_run(["rm", "-f", f"{INSIDE}/{inside}"])
            raise
    try:
        yield f"{INSIDE}/{inside}"
    finally:  # a failure here must not hide the restore's own
        with contextlib.suppress(Exception):
            container.exec_run(["rm", "-f", f"{INSIDE}/{inside}"])
