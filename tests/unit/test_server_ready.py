"""The spawner returns once the new server answers (server_ready.answers), so the hub sees
it up at once: any HTTP answer counts, a dead process or the deadline ends the wait."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from galilean_hub.server_ready import answers
from harness.local_http import QuietHandler, serving


class Forbidden(QuietHandler):
    def do_GET(self) -> None:
        self.send_response(403)
        self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    with serving(Forbidden) as url:
        yield f"{url}/user/ann/api"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def running() -> int | None:
    return None


async def ended() -> int | None:
    return 1


def test_any_http_answer_means_up(server: str) -> None:
    assert asyncio.run(answers(server, 5, running)) is True


def test_a_dead_process_or_the_deadline_ends_the_wait() -> None:
    url = f"http://127.0.0.1:{closed_port()}/api"
    assert asyncio.run(answers(url, 5, ended)) is False
    ticks = iter([0.0, 0.0, 100.0])  # one refused try, then past the deadline
    assert asyncio.run(answers(url, 5, running, clock=lambda: next(ticks))) is False
