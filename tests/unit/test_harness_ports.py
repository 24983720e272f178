"""The one way the harness starts a server that cannot bind port 0: on ports picked a
moment earlier, again on new ones when one was taken meanwhile (tests/harness/processes.py).
Real servers on taken ports: integration/test_harness.py."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from harness.processes import (
    PortTaken,
    closed_port,
    log_since,
    pick_port,
    raise_if_port_taken,
    start_on_free_ports,
)


def test_a_taken_port_is_picked_again() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        picks = iter([taken.getsockname()[1]])
        servers: list[socket.socket] = []

        def start() -> int:
            port = next(picks, 0) or pick_port()
            server = socket.socket()
            try:
                server.bind(("127.0.0.1", port))
            except OSError as error:
                server.close()
                raise_if_port_taken(str(error), "the server")
                raise
            servers.append(server)
            return port

        port = start_on_free_ports(start, "the server")
        assert port != taken.getsockname()[1]
        assert [s.getsockname()[1] for s in servers] == [port]
        servers[0].close()


def test_other_failures_are_not_retried() -> None:
    calls = []

    def start() -> None:
        calls.append(1)
        raise RuntimeError("the server exited with 1")

    with pytest.raises(RuntimeError, match="exited with 1"):
        start_on_free_ports(start, "the server")
    assert len(calls) == 1


def test_ports_taken_every_time_give_up_saying_so() -> None:
    def start() -> None:
        raise PortTaken("the server: Address already in use")

    with pytest.raises(RuntimeError, match="taken 5 times in a row"):
        start_on_free_ports(start, "the server")


@pytest.mark.parametrize(
    "line",
    [
        'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use',  # PostgreSQL
        "[ERROR] Can't start server: Bind on TCP/IP port. Got error: 98: Address already in use",
        "[ConfigProxy] error: Uncaught Exception: listen EADDRINUSE: address already in use",
        "OSError: [Errno 98] Address already in use",  # tornado: the hub, the flows service
    ],
)
def test_what_servers_log_for_a_taken_port_is_recognised(line: str) -> None:
    with pytest.raises(PortTaken, match="the server: "):
        raise_if_port_taken(f"starting\n{line}\nbye\n", "the server")
    raise_if_port_taken("starting\nready\n", "the server")


def test_only_this_start_s_output_is_read(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("earlier: Address already in use\n")
    began = log.stat().st_size
    with log.open("a") as out:
        out.write("now: ready\n")
    assert log_since(log, began) == "now: ready\n"


def test_a_closed_port_refuses() -> None:
    with closed_port() as port, pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
