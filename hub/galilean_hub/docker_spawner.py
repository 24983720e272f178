"""Docker mode's spawner: DockerSpawner, returning from `start` once the container's
server answers (server_ready.py), as the embedded spawner does: JupyterHub's own check
waits 0.2…5 s between tries and saw servers seconds after they were up. Its own module so
that embedded mode never imports the Docker client."""

from __future__ import annotations

from typing import Any

from dockerspawner import DockerSpawner

from .server_ready import answers
from .sharing import with_shared_args


class ReadyDockerSpawner(DockerSpawner):
    def get_args(self) -> list[str]:
        return with_shared_args(self, list(super().get_args()))

    async def start(self, *args: Any, **kwargs: Any) -> Any:
        started = await super().start(*args, **kwargs)
        ip, port = started
        base = self.server.base_url if self.server is not None else "/"
        await answers(f"http://{ip}:{port}{base}api", self.http_timeout, self.poll)
        return started
