"""A clock that moves only when a test says so: what code with an injectable clock
(`clock: Callable[[], float]`, seconds since the epoch) is given in tests instead of
waiting for real time to pass."""

from __future__ import annotations

# 2030-01-01T00:00:00Z, on a 30 s boundary (a TOTP step starts here).
START = 1_893_456_000.0


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
