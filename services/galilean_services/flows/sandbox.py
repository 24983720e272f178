"""Run a user's Python transform in another process, exchanging Arrow files.

The boundary is the process: its own session (killed whole on timeout), CPU, memory,
file-size and process-count limits (threads included), an empty environment, a private
folder (0700, owned by the account the code runs as), and — when the engine runs as
root — the unprivileged `nobody` account, which cannot read users' files (kept 0700). An
audit hook in the child turns attempts to start programs or open sockets into a clear
error; it is a courtesy for the message, not the boundary. A crash, a timeout or an
out-of-memory becomes SandboxError.

A flow chooses its node's time and memory, but never beyond the administrator's caps
(`caps()`: GALILEAN_FLOWS_PYTHON_MAX_SECONDS, GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.ipc as ipc

PRELUDE = r"""
import sys, traceback
BLOCKED = ("os.system", "os.exec", "os.posix_spawn", "os.fork", "os.forkpty", "os.spawn",
           "subprocess.Popen", "socket.connect", "socket.bind", "pty.spawn")
def guard(event, args):
    if event.startswith(BLOCKED):
        raise PermissionError(f"{event} is not allowed in WHAT")
import pyarrow as pa, pyarrow.ipc as ipc, pandas as pd
with pa.memory_map("in.arrow") as source:
    frame = ipc.open_file(source).read_all().to_pandas()
code = open("code.py").read()
"""


def child_prelude(what: str) -> str:
    """How every sandbox child starts: the audit hook that refuses starting programs and
    opening sockets (naming `what`; the child adds it with `sys.addaudithook(guard)` once
    its own imports are done), the input as `frame`, the user's `code`."""
    return PRELUDE.replace("WHAT", what)


CHILD = (
    child_prelude("a Python transform")
    + r"""
sys.addaudithook(guard)
try:
    namespace = {"pd": pd, "__name__": "transform"}
    exec(compile(code, "transform.py", "exec"), namespace)
    if "transform" not in namespace:
        raise NameError("define transform(df) -> DataFrame")
    result = namespace["transform"](frame)
    table = result if isinstance(result, pa.Table) else pa.Table.from_pandas(
        result, preserve_index=False)
except BaseException as exc:
    line = ""
    for frame_summary in traceback.extract_tb(exc.__traceback__):
        if frame_summary.filename == "transform.py":
            line = f" (line {frame_summary.lineno})"
    sys.stderr.write(f"GALILEAN-ERROR {type(exc).__name__}{line}: {exc}\n")
    sys.exit(3)
with pa.OSFile("out.arrow", "wb") as sink, ipc.new_file(sink, table.schema) as writer:
    writer.write_table(table)
"""
)


T = TypeVar("T")
MAX_TASKS = 32  # processes and threads of `nobody`, all sandboxes together


class SandboxError(RuntimeError):
    """The transform failed; the message is for the user."""


@dataclass(frozen=True)
class Limits:
    seconds: float = 60.0
    memory_mb: int = 2048
    output_mb: int = 2048


MAX_SECONDS_VARIABLE = "GALILEAN_FLOWS_PYTHON_MAX_SECONDS"
MAX_MEMORY_VARIABLE = "GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB"
DEFAULT_MAX_SECONDS = 300.0
DEFAULT_MAX_MEMORY_MB = 2048


def caps(environ: Mapping[str, str] | None = None) -> Limits:
    """The most time and memory a Python node may have, whatever its flow asks: the
    administrator's GALILEAN_FLOWS_PYTHON_MAX_SECONDS (default 300) and
    GALILEAN_FLOWS_PYTHON_MAX_MEMORY_MB (default 2048). ValueError names a bad value."""
    env = os.environ if environ is None else environ
    seconds = _positive(env, MAX_SECONDS_VARIABLE, DEFAULT_MAX_SECONDS)
    memory = int(_positive(env, MAX_MEMORY_VARIABLE, DEFAULT_MAX_MEMORY_MB))
    if memory < 1:
        raise ValueError(f"{MAX_MEMORY_VARIABLE} must be at least 1 (MB)")
    return Limits(seconds=seconds, memory_mb=memory)


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a positive number, not {text!r}")
    return value


def capped(asked: Limits, cap: Limits | None = None) -> tuple[Limits, dict[str, str]]:
    """`asked` within the caps, and a note for each value lowered (by parameter name)."""
    cap = cap or caps()
    notes = {}
    if asked.seconds > cap.seconds:
        notes["timeout_seconds"] = (
            f"timeout_seconds {asked.seconds:g} lowered to {cap.seconds:g}, the "
            f"administrator's limit ({MAX_SECONDS_VARIABLE})"
        )
    if asked.memory_mb > cap.memory_mb:
        notes["memory_mb"] = (
            f"memory_mb {asked.memory_mb} lowered to {cap.memory_mb}, the "
            f"administrator's limit ({MAX_MEMORY_VARIABLE})"
        )
    limits = replace(
        asked,
        seconds=min(asked.seconds, cap.seconds),
        memory_mb=min(asked.memory_mb, cap.memory_mb),
    )
    return limits, notes


def _preexec(limits: Limits, account: pwd.struct_passwd | None) -> Callable[[], None]:
    def apply() -> None:
        # Memory the code writes to (RLIMIT_DATA: its heap and private mappings), not the
        # address space it reserves: importing scikit-learn next to pyarrow reserved over
        # 1.8 GB of address space and failed under RLIMIT_AS while using ~300 MB.
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
        cpu = int(limits.seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        size = limits.output_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.umask(0o077)
        if account is not None:
            os.setgroups([])
            os.setgid(account.pw_gid)
            # Threads count as processes: room for Arrow's few, none for a fork bomb.
            resource.setrlimit(resource.RLIMIT_NPROC, (MAX_TASKS, MAX_TASKS))
            os.setuid(account.pw_uid)

    return apply


def _account() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def _reachable_by_others(path: Path) -> bool:
    """Whether an account with no rights of its own can open `path` (o+x on every folder)."""
    path = path.resolve()
    if not path.exists() or not path.stat().st_mode & 0o004:
        return False
    return all(parent.stat().st_mode & 0o001 for parent in path.parents)


def _interpreter(account: pwd.struct_passwd | None) -> tuple[list[str], dict[str, str]] | None:
    """This Python, or the system's same-version one reading this environment's packages,
    whichever `nobody` can run; None when neither can."""
    if account is None or _reachable_by_others(Path(sys.executable)):
        return [sys.executable], {}
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    packages = [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    if _reachable_by_others(system) and all(_reachable_by_others(Path(p)) for p in packages):
        return [str(system)], {"PYTHONPATH": os.pathsep.join(dict.fromkeys(packages))}
    return None


def run_python(code: str, table: pa.Table, limits: Limits | None = None) -> pa.Table:
    """Run `transform(df)` from `code` on `table`, within `limits` lowered to the caps."""

    def rows(folder: Path) -> pa.Table:
        with pa.memory_map(str(folder / "out.arrow")) as source:
            return ipc.open_file(source).read_all()

    return run_sandboxed(CHILD, {"code.py": code.encode()}, table, limits, rows)


def run_sandboxed(
    child: str,
    files: Mapping[str, bytes],
    table: pa.Table,
    limits: Limits | None,
    collect: Callable[[Path], T],
    environ: Mapping[str, str] | None = None,
) -> T:
    """Run the script `child` in a private folder holding `files` and the table as
    in.arrow, within `limits` lowered to the caps; `collect` reads what it left (the
    folder is deleted after). The child reports an error as a `GALILEAN-ERROR` line on
    stderr; every process it left is killed before `collect` reads. `environ`: variables
    added to its (otherwise empty) environment."""
    limits, _ = capped(limits or Limits())
    account = _account()
    interpreter = _interpreter(account)
    if interpreter is None:  # nobody cannot run Python here: limits only, as this account
        account = None
        interpreter = [sys.executable], {}
    # The code's folder sits in one of this account's own (which the code may cross but not
    # change): the path of what it leaves cannot be swapped for a link to elsewhere.
    top = Path(tempfile.mkdtemp(prefix="galilean-py-"))
    top.chmod(0o711)
    folder = top / "work"
    folder.mkdir(mode=0o700)
    try:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        with (
            pa.OSFile(str(folder / "in.arrow"), "wb") as sink,
            ipc.new_file(sink, table.schema) as w,
        ):
            w.write_table(table)
        # Private to the account the code runs as.
        for path in (folder, *folder.iterdir()):
            path.chmod(0o700 if path.is_dir() else 0o600)
            if account is not None:
                os.chown(path, account.pw_uid, account.pw_gid)
        env = {
            **interpreter[1],
            "PATH": "/usr/bin:/bin",
            "HOME": str(folder),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            **(environ or {}),
        }
        proc = subprocess.Popen(
            [*interpreter[0], "-s", "-P", "-c", child],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_preexec(limits, account),
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise SandboxError(f"timed out after {limits.seconds:g} s") from None
        finally:
            # Nothing it started may go on changing the folder while it is read.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        message = _message(err.decode(errors="replace"), proc.returncode, limits)
        if message:
            raise SandboxError(message)
        return collect(folder)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _message(stderr: str, code: int, limits: Limits) -> str:
    for line in reversed(stderr.splitlines()):
        if line.startswith("GALILEAN-ERROR "):
            text = line.removeprefix("GALILEAN-ERROR ")
            if text.startswith("MemoryError"):
                return f"ran out of memory (limit {limits.memory_mb} MB)"
            return text
    if code == 0:
        return ""
    if code == -signal.SIGXCPU or code == -signal.SIGKILL:
        return f"stopped: CPU time limit ({limits.seconds:g} s) or memory limit reached"
    if code < 0:
        return f"crashed with signal {signal.Signals(-code).name}"
    last = stderr.strip().splitlines()[-1:] or [f"exit code {code}"]
    return f"failed: {last[0]}"
