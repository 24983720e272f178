"""The Docker engine started and the images built on a thread while the other layers run.

Building the two images takes about 3.5 minutes on 2 cores, mostly unpacking and
installing wheels, and pytest runs one test at a time: the other core is idle for most of
the unit and integration layers. So when the session will run the docker layer (tests/
compose, last), the engine and the images are made from the start of the session, and the
docker fixtures take them when their turn comes (waiting if the build is not done). A
session that never reaches them still stops the engine (`release`). What goes wrong on the
thread is raised by the fixture that asks, not lost.
"""

from __future__ import annotations

import threading

from .docker_engine import DockerEngine
from .docker_stack import build_images


class EarlyDocker:
    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._engine: DockerEngine | None = None
        self._timings: dict[str, float] | None = None
        self._error: BaseException | None = None
        self._stopped = False
        self._engine_known = threading.Event()  # started, or failed to

    def begin(self) -> None:
        """Start the engine and the build on a thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="docker-early", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        try:
            try:
                self._engine = DockerEngine().start()
            finally:
                self._engine_known.set()
            self._timings = build_images(self._engine)
        except BaseException as error:  # raised again by whoever asks for the result
            self._error = error

    def engine(self) -> DockerEngine:
        """The running engine (started now if nobody began; the build may go on until
        `release`)."""
        self.begin()
        self._engine_known.wait()
        if self._engine is None:
            assert self._error is not None
            raise self._error
        return self._engine

    def images(self) -> dict[str, float]:
        """Seconds per build step, once the images are built (raises what the build raised)."""
        self.begin()
        assert self._thread is not None
        self._thread.join()
        if self._timings is None:
            raise RuntimeError("building the images failed") from self._error
        return self._timings

    def release(self) -> None:
        """Stop the engine once the build is over (never mid-build); again: nothing. The
        docker fixtures release it when done, the session's end in any case."""
        if self._thread is None:
            return
        self._thread.join()
        if self._engine is not None and not self._stopped:
            self._stopped = True
            self._engine.stop()
