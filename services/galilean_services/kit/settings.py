"""Settings groups: traitlets read from environment variables, documented by their help.

Each trait carries the variable it is read from (`env` metadata, see `env`), the section of
`stack.env.example` it is listed in (`group`), whether a mode requires it and whether it
is a secret. A group is a `SettingsGroup`; the hub's `Settings` composes every group (and
writes stack.env.example from their help), a service reads its own groups in its own
process, from the environment the hub gives it (`environ` writes them back). A default is
written once, on its trait. A bad value raises `ConfigError` naming the variable.
No web framework here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from traitlets import Bool, Enum, Float, HasTraits, Int, List, TraitError, Unicode

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
MODES = ("embedded", "docker")

G = TypeVar("G", bound="SettingsGroup")


class ConfigError(Exception):
    """A setting is missing or wrong; the message says what to set."""


def env(name: str, group: str, *, required_in: str = "", secret: bool = False) -> dict[str, Any]:
    """A trait's metadata: `.tag(**env("GALILEAN_X", "section"))`."""
    return {"env": name, "group": group, "required_in": required_in, "secret": secret}


class SettingsGroup(HasTraits):
    """Settings read from environment variables (every trait tagged with `env`)."""

    @classmethod
    def env_traits(cls) -> dict[str, Any]:
        """Trait objects keyed by their environment variable."""
        return {t.metadata["env"]: t for t in cls.class_traits(env=lambda e: bool(e)).values()}

    @classmethod
    def from_environ(cls: type[G], environ: Mapping[str, str]) -> G:
        """The group from a mapping of variables; ConfigError names the one at fault."""
        settings = cls()
        for name, trait in cls.class_traits(env=lambda e: bool(e)).items():
            var = trait.metadata["env"]
            if var not in environ:
                continue
            raw = environ[var].strip()
            try:
                setattr(settings, name, parse(trait, raw))
            except (TraitError, ValueError) as exc:
                raise ConfigError(
                    f"{var}={_show(trait, raw)} is not valid: {_reason(trait, exc)}"
                ) from None
        settings.check_required()
        return settings

    def check_required(self) -> None:
        """Fail naming every variable the chosen mode needs and does not have (a group
        without a `mode` requires nothing)."""
        mode = getattr(self, "mode", "")
        missing = sorted(
            trait.metadata["env"]
            for name, trait in self.class_traits(
                required_in=lambda m: bool(m) and m == mode
            ).items()
            if not getattr(self, name)
        )
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise ConfigError(
                f"{', '.join(missing)} {verb} required in {mode} mode: set "
                f"{'it' if len(missing) == 1 else 'them'} in stack.env (see stack.env.example)"
            )

    def environ(self, groups: Iterable[type[SettingsGroup]] = ()) -> dict[str, str]:
        """This group's values as variables (the traits of `groups` only, when given): what
        a service's process reads back with `from_environ`."""
        names: set[str] = set()
        for group in groups:
            names |= set(group.class_traits(env=lambda e: bool(e)))
        return {
            trait.metadata["env"]: show(trait, getattr(self, name))
            for name, trait in self.class_traits(env=lambda e: bool(e)).items()
            if not names or name in names
        }


def parse(trait: Any, raw: str) -> Any:
    """The value a variable's text gives a trait (ValueError says what to write)."""
    if isinstance(trait, Bool):
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError("use true or false")
    if isinstance(trait, Int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError("use a whole number") from None
    if isinstance(trait, Float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError("use a number") from None
    if isinstance(trait, List):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def show(trait: Any, value: Any) -> str:
    """A value as a variable's text (what `parse` reads back)."""
    if isinstance(trait, List):
        return ",".join(str(v) for v in value)
    if isinstance(trait, Bool):
        return "true" if value else "false"
    return str(value)


def _reason(trait: Any, exc: Exception) -> str:
    if isinstance(trait, Enum):
        return "use one of " + ", ".join(str(v) for v in trait.values or ())
    return str(exc)


def _show(trait: Any, raw: str) -> str:
    return "<hidden>" if trait.metadata.get("secret") else repr(raw)


def parse_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines (comments, blank lines, `export` and quotes allowed)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {line.split('=')[0]!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


# -- groups every part of the stack reads ----------------------------------------------------


class CommonSettings(SettingsGroup):
    """What the hub and every service read: the mode and the data folder."""

    mode = Enum(
        MODES,
        default_value="embedded",
        help="How user servers run: 'embedded' (local processes, one OS account, no Docker) "
        "or 'docker' (one container per user and workspace, isolated).",
    ).tag(**env("GALILEAN_MODE", "stack"))
    data_dir = Unicode(
        "var",
        help="Folder for hub state (SQLite database, cookie secret) and, in embedded mode, "
        "every user's files. Relative paths are taken from the working directory.",
    ).tag(**env("GALILEAN_DATA_DIR", "stack"))

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser().absolute()


class ContainerSettings(SettingsGroup):
    """Docker mode: the user's image and its limits, for the hub's user containers and for
    a service's containers that run users' work as them."""

    docker_image = Unicode(
        "galilean/notebook:latest",
        help="Image of user servers in docker mode (built from images/notebook).",
    ).tag(**env("GALILEAN_DOCKER_IMAGE", "docker"))
    docker_network = Unicode(
        "", help="Docker network user containers join (compose sets it to its own network)."
    ).tag(**env("GALILEAN_DOCKER_NETWORK", "docker", required_in="docker"))
    docker_mem_limit = Unicode("2G", help="Memory limit of a user container.").tag(
        **env("GALILEAN_DOCKER_MEM_LIMIT", "docker")
    )
    docker_cpu_limit = Float(1.0, help="CPU limit of a user container (cores).").tag(
        **env("GALILEAN_DOCKER_CPU_LIMIT", "docker")
    )
    docker_shared_dir = Unicode(
        "/srv/galilean/shared",
        help="Absolute folder on the Docker host with one folder per user, mounted at "
        "/home/jovyan/shared in every workspace of that user and read by the flows service: "
        "files the user's flows read and the user's named connections live there. Compose "
        "mounts it into the hub container at the same path.",
    ).tag(**env("GALILEAN_DOCKER_SHARED_DIR", "docker"))
    backup_db_container = Unicode(
        "",
        help="Backups in docker mode: the container of the hub's PostgreSQL, where pg_dump "
        "and pg_restore run (the server's own tools, of its version). Compose sets it to its "
        "db service's container; empty: PostgreSQL's client tools where the backup runs.",
    ).tag(**env("GALILEAN_BACKUP_DB_CONTAINER", "docker"))


def service_port(env: Mapping[str, str], default: int) -> int:
    """The port the hub gives a service (in JUPYTERHUB_SERVICE_URL), else `default`."""
    url = env.get("JUPYTERHUB_SERVICE_URL") or f"http://127.0.0.1:{default}"
    return int(url.rsplit(":", 1)[1].split("/")[0])
