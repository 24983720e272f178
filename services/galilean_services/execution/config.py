"""What a plane needs to know, whichever service owns it."""

from __future__ import annotations

from dataclasses import dataclass

from ..kit.settings import ContainerSettings

_BOX = ContainerSettings()


@dataclass(frozen=True)
class PlaneConfig:
    # Who runs here, for messages and container labels ("flows", "datasets").
    service: str
    files_root: str  # a folder per user: contains "{user}" (folders.USER)
    # auto | bubblewrap | none, or docker (a container per worker from the user's image)
    isolation: str = "auto"
    needs_network: bool = False
    max_processes: int = 256
    docker_image: str = _BOX.docker_image
    docker_network: str = _BOX.docker_network
    docker_mem_limit: str = _BOX.docker_mem_limit
    docker_cpu_limit: float = _BOX.docker_cpu_limit
    # How messages name what runs here ("flows", "dataset operations").
    subject: str = "flows"

    @property
    def isolation_variable(self) -> str:
        return f"GALILEAN_{self.service.upper()}_ISOLATION"
