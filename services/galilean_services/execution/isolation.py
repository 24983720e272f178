"""Where a flow's work runs: the execution plane, apart from the service (the control plane).

The service decides and records; a run or an endpoint worker executes the owner's flow in
a process that sees only the owner's folder. Embedded mode uses bubblewrap (Debian's
`bubblewrap`): a new mount namespace whose root holds the system's programs and this
Python read-only, the owner's folder read-write at its own path, a private /tmp, /proc of
a private PID namespace, no network unless the admin allows it, and nothing else — the
hub's data folder, other users' folders, /root and the hub's secrets are simply absent.
Docker mode starts a container per run (see docker_plane.py).

`none` runs the engine as a plain child process of the service (the in-engine path checks
still apply): for people who trust each other, and said once at start.
"""

from __future__ import annotations

import logging
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("galilean.execution")

MODES = ("auto", "bubblewrap", "none")
TMP_BYTES = 1024 * 2**20  # the sandbox's /tmp
SANDBOX_UID = 1000  # the owner inside the sandbox; files appear as the service's account
# /etc entries programs need (name resolution, TLS roots, time zone); never shadow or keys.
ETC = (
    "resolv.conf",
    "hosts",
    "nsswitch.conf",
    "host.conf",
    "gai.conf",
    "ssl/certs",
    "ca-certificates",
    "ca-certificates.conf",
    "pki",
    "localtime",
    "timezone",
    "alternatives",
    "passwd",
    "group",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "mime.types",
    "protocols",
    "services",
)
# Variables a run may see; everything else of the service's environment (its hub token
# above all) stays out.
PASSED_PREFIXES = ("GALILEAN_CONNECTION_", "GALILEAN_FLOWS_PYTHON_")
PASSED = ("LANG", "LC_ALL", "TZ", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT")


class IsolationUnavailable(RuntimeError):
    """The admin asked for an isolation this machine cannot give."""


def python_paths() -> list[str]:
    """Folders this Python needs to run the engine: its prefixes and the sources of
    editable installs (named by .pth files), read-only in the sandbox."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.add(str(Path(sys.executable).resolve().parent.parent))
    for packages in site.getsitepackages():
        for pth in Path(packages).glob("*.pth"):
            for line in pth.read_text(errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith(("#", "import")) and Path(line).is_dir():
                    paths.add(line)
    resolved = sorted({str(Path(p).resolve()) for p in paths if Path(p).exists()})
    # A folder inside another one is bound with it.
    return [p for p in resolved if not any(p != q and p.startswith(q + "/") for q in resolved)]


def environment(folder: Path, source: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a run: the owner's folder as home, the admin's read-only
    connections and Python limits, nothing of the service's secrets."""
    source = os.environ if source is None else source
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(folder),
        "TMPDIR": "/tmp",  # noqa: S108 - private to the sandbox
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for key, value in source.items():
        if key in PASSED or key.startswith(PASSED_PREFIXES):
            env[key] = value
    return env


@dataclass(frozen=True)
class Isolation:
    mode: str  # bubblewrap | none
    network: bool = False
    readable: tuple[str, ...] = field(default_factory=tuple)
    bwrap: str = "bwrap"
    # What runs here and the setting that chooses it, for messages.
    subject: str = "flows"
    variable: str = "GALILEAN_FLOWS_ISOLATION"

    @property
    def isolated(self) -> bool:
        return self.mode != "none"

    def command(self, argv: list[str], folder: Path, network: bool = True) -> list[str]:
        """`argv` (this Python and its arguments) run as the owner of `folder`; with the
        network only when this isolation allows it and `network` asks for it."""
        if self.mode == "none":
            return argv
        folder = folder.resolve()
        args = [
            self.bwrap,
            "--die-with-parent",
            "--new-session",
            "--unshare-all",
            "--unshare-user",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--disable-userns",
            "--cap-drop",
            "ALL",
            "--ro-bind",
            "/usr",
            "/usr",
        ]
        if self.network and network:
            args.append("--share-net")
        for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / top
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        for name in ETC:
            if (Path("/etc") / name).exists():
                args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        # /tmp in memory, bounded (tmpfs pages belong to no process: an unbounded one
        # could push the machine's OOM killer onto someone else). Mounted before the binds
        # below: Python or the owner's folder may live under /tmp (a CI clone, tests).
        args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]  # noqa: S108
        for readable in self.readable:
            args += ["--ro-bind", readable, readable]
        args += ["--bind", str(folder), str(folder), "--chdir", str(folder), "--"]
        return args + argv

    def describe(self) -> str:
        if self.mode == "none":
            return (
                f"{self.subject} are NOT isolated: they execute as the service's own "
                "account and can read what it reads (install bubblewrap, or set "
                f"{self.variable}=bubblewrap to require it)"
            )
        net = "no network"
        if self.network:
            net = "with the network (the allow-list checked by the engine)"
        return f"{self.subject} run isolated by bubblewrap: only the owner's folder, {net}"


def _bwrap_works(bwrap: str, readable: Iterable[str]) -> str:
    """'' when a sandbox starts here, else why not."""
    probe = Isolation("bubblewrap", readable=tuple(readable), bwrap=bwrap)
    folder = Path(sys.prefix)
    try:
        done = subprocess.run(
            probe.command([sys.executable, "-c", "pass"], folder),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {done.returncode}"
    return ""


def choose(
    setting: str,
    network: bool,
    subject: str = "flows",
    variable: str = "GALILEAN_FLOWS_ISOLATION",
) -> Isolation:
    """The isolation for this service: `auto` takes bubblewrap when it works here."""
    if setting not in MODES:
        raise IsolationUnavailable(f"{variable}={setting!r}: use one of {', '.join(MODES)}")
    if setting == "none":
        return Isolation("none", network=True, subject=subject, variable=variable)
    bwrap = shutil.which("bwrap")
    readable = python_paths()
    why = "bwrap is not installed (Debian: apt-get install bubblewrap)"
    if bwrap:
        why = _bwrap_works(bwrap, readable)
        if not why:
            return Isolation(
                "bubblewrap",
                network=network,
                readable=tuple(readable),
                bwrap=bwrap,
                subject=subject,
                variable=variable,
            )
    if setting == "bubblewrap":
        raise IsolationUnavailable(f"{variable}=bubblewrap, but {why}")
    log.warning("bubblewrap unavailable: %s", why)
    return Isolation("none", network=True, subject=subject, variable=variable)
