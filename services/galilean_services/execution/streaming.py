"""Talking to a worker that reports as it goes: the request written to its stdin (then
end of input), each line it prints handed to `on_line` as it arrives, its stderr kept,
and its end awaited. Works for both kinds of child (a local process, a container)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from .plane import Child


async def exchange(
    child: Child, request: bytes, on_line: Callable[[bytes], None]
) -> tuple[bytes, bytes]:
    """(every line `on_line` was given, joined; stderr) once the child has ended. A line
    too long for the reader's limit ends the reading (the caller sees no answer)."""
    assert child.stdin is not None
    assert child.stdout is not None
    assert child.stderr is not None
    with contextlib.suppress(ConnectionError):
        child.stdin.write(request)
        await child.stdin.drain()
        if child.stdin.can_write_eof():
            child.stdin.write_eof()
        else:
            child.stdin.close()
    lines: list[bytes] = []

    async def read_lines(stdout: asyncio.StreamReader) -> None:
        with contextlib.suppress(ValueError, ConnectionError):  # ValueError: past the limit
            while line := await stdout.readline():
                lines.append(line)
                on_line(line)

    _, err = await asyncio.gather(read_lines(child.stdout), child.stderr.read())
    await child.wait()
    return b"".join(lines), err
