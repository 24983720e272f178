"""RFC 6238 codes (SHA-1, 30 s steps, 6 digits), computed independently of the hub."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

STEP_SECONDS = 30


def step(at: float | None = None) -> int:
    """The 30 s step `at` (default: now) falls in."""
    return int((time.time() if at is None else at) // STEP_SECONDS)


def totp(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows at `at` (default: now) for this base32 secret."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step(at)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def wrong_code(code: str) -> str:
    """Another six digits."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
