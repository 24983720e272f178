"""A content-addressed object store: each object is a file named by the SHA-256 of its
bytes (`objects/ab/cdef…`), written to a temporary file inside the store, then renamed,
and left read-only (0o444). Objects are immutable, so writing one twice is harmless and a
crash leaves at most a stray temporary file (removed by `sweep_temporary`)."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

CHUNK = 1 << 20
READ_ONLY = 0o444


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


Hasher = Callable[[], Hash]


def sha256() -> Hash:
    return hashlib.sha256()


class ObjectStore:
    def __init__(self, root: Path, hasher: Hasher = sha256) -> None:
        self.root = root
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        self.hasher = hasher
        self.written = 0  # objects this instance added to the store
        self._prepare()

    def _prepare(self) -> None:
        if (self.objects / "ff").is_dir() and self.tmp.is_dir():
            return
        self.tmp.mkdir(parents=True, exist_ok=True)
        for prefix in range(256):
            (self.objects / f"{prefix:02x}").mkdir(parents=True, exist_ok=True)

    def path_of(self, digest: str) -> Path:
        return self.objects / digest[:2] / digest[2:]

    def has(self, digest: str) -> bool:
        return os.path.exists(self.path_of(digest))

    def ingest(self, source: Path) -> tuple[str, int]:
        """Copy a file into the store while hashing it, so the object holds exactly the
        bytes that were hashed even if the file changes meanwhile. Never follows a
        symbolic link. Returns (digest, size)."""
        digest = self.hasher()
        size = 0
        handle, temporary = tempfile.mkstemp(dir=self.tmp, prefix="in-")
        try:
            source_fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                while chunk := os.read(source_fd, CHUNK):
                    digest.update(chunk)
                    _write_all(handle, chunk)
                    size += len(chunk)
            finally:
                os.close(source_fd)
        except BaseException:
            os.close(handle)
            os.unlink(temporary)
            raise
        os.close(handle)
        return self._publish(temporary, digest.hexdigest()), size

    def put_bytes(self, data: bytes) -> str:
        digest = self.hasher()
        digest.update(data)
        name = digest.hexdigest()
        if self.has(name):
            return name
        handle, temporary = tempfile.mkstemp(dir=self.tmp, prefix="put-")
        try:
            _write_all(handle, data)
        finally:
            os.close(handle)
        return self._publish(temporary, name)

    def _publish(self, temporary: str, name: str) -> str:
        final = self.path_of(name)
        if os.path.exists(final):
            os.unlink(temporary)
            return name
        os.chmod(temporary, READ_ONLY)
        os.replace(temporary, final)
        self.written += 1
        return name

    def read_bytes(self, digest: str) -> bytes:
        return self.path_of(digest).read_bytes()

    def copy_to(self, digest: str, target: str, mode: int) -> None:
        """Write an object's bytes to `target` (a new file, created exclusively),
        in-kernel (copy_file_range: a reflink on file systems that share extents)."""
        source_fd = os.open(self.path_of(digest), os.O_RDONLY)
        try:
            target_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            try:
                _copy_fd(source_fd, target_fd)
                os.fchmod(target_fd, mode)
            finally:
                os.close(target_fd)
        finally:
            os.close(source_fd)

    def iter_objects(self) -> Iterator[tuple[str, Path]]:
        for prefix in sorted(os.listdir(self.objects)):
            folder = self.objects / prefix
            for rest in os.listdir(folder):
                yield prefix + rest, folder / rest

    def remove(self, path: Path) -> int:
        size = path.stat().st_size
        path.unlink()
        return size

    def sweep_temporary(self) -> int:
        """Remove what crashed writers left in tmp/; call with the store's lock held."""
        removed = 0
        for name in os.listdir(self.tmp):
            os.unlink(self.tmp / name)
            removed += 1
        return removed

    def flush(self) -> None:
        """Make the objects written so far durable before a manifest names them: one
        syncfs(2) of the store's file system instead of an fsync per object."""
        flush_file_system(self.root)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def _copy_fd(source_fd: int, target_fd: int) -> None:
    try:
        while os.copy_file_range(source_fd, target_fd, CHUNK):
            pass
    except OSError:  # EXDEV, ENOSYS, EINVAL on file systems without it
        os.lseek(source_fd, 0, os.SEEK_SET)
        os.ftruncate(target_fd, 0)
        os.lseek(target_fd, 0, os.SEEK_SET)
        while chunk := os.read(source_fd, CHUNK):
            _write_all(target_fd, chunk)


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)  # the C library the process already loaded


def flush_file_system(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        syncfs = getattr(_libc(), "syncfs", None)
        if syncfs is None or syncfs(handle) != 0:
            os.sync()
    finally:
        os.close(handle)


def fsync_path(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
