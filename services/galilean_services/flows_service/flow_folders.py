"""Where a service run reads a flow's relative paths: the flows service keeps the
designer's flows under the path of their `.flow` file inside the owner's folder, and a
run reads the files next to that file, as the designer's previews do."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


def folder_of(name: str) -> str:
    """The folder, inside the owner's, of a flow named by the path of a `.flow` file there;
    for any other name, the owner's folder itself ("")."""
    path = PurePosixPath(name)
    if path.suffix != ".flow" or path.is_absolute() or ".." in path.parts or "\\" in name:
        return ""
    return "" if path.parent == PurePosixPath(".") else path.parent.as_posix()


def flow_folder(home: Path, folder: str) -> Path:
    """The folder inside `home` the flow's relative paths are read from (a run's `folder`,
    when it is one inside `home`), else `home`."""
    if folder:
        inside = (home / folder).resolve()
        if inside.is_relative_to(home.resolve()) and inside.is_dir():
            return inside
    return home
