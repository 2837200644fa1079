"""API key secrets: ``cak_<env>_<body><checksum>``, in the style of GitHub's tokens.

The fixed prefix lets secret scanners find leaked keys by pattern; the environment marker stops a
test key from being mistaken for a live one; the CRC32 checksum rejects mistyped or truncated keys
before any database work. Only a SHA-256 digest of the secret is ever stored: the body carries 256
random bits, so a slow password hash would add cost without adding safety.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib
from dataclasses import dataclass
from typing import Final

PREFIX: Final = "cak"
ENVIRONMENTS: Final = frozenset({"live", "test"})

_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_BYTES: Final = 32
_BODY_LEN: Final = 43  # ceil(256 / log2(62)): every 32-byte value fits
_CHECKSUM_LEN: Final = 6  # ceil(32 / log2(62)): every CRC32 value fits
MAX_CANDIDATE_LENGTH: Final = 100  # far above any real key; bounds all work done on hostile input

_ENV_ALTERNATION: Final = "|".join(sorted(ENVIRONMENTS))
_KEY_BODY: Final = rf"{PREFIX}_({_ENV_ALTERNATION})_[0-9A-Za-z]{{{_BODY_LEN + _CHECKSUM_LEN}}}"

PATTERN: Final[re.Pattern[str]] = re.compile(rf"\b{_KEY_BODY}\b")
"""Finds keys inside arbitrary text (logs, ``.env`` files, commits): the secret-scanner pattern."""

FULL_MATCH: Final[re.Pattern[str]] = re.compile(rf"\A{_KEY_BODY}\Z")
"""Matches a whole string that is exactly one key; ``\\Z`` so a trailing newline is refused."""


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    """A freshly generated key: ``secret`` is shown once, only the rest is stored."""

    secret: str
    secret_hash: bytes
    hint: str
    environment: str


@dataclass(frozen=True, slots=True)
class ParsedKey:
    """What a presented key yields for the database lookup: never the secret itself."""

    environment: str
    secret_hash: bytes


def _b62(value: int, width: int) -> str:
    """Fixed width keeps the key length constant, so length alone rejects malformed keys."""
    digits: list[str] = []
    while value:
        value, rem = divmod(value, 62)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(width, "0")


def _checksum(head: str) -> str:
    """CRC32 detects every single-character typo, and is not a secret, so no HMAC needed."""
    return _b62(zlib.crc32(head.encode("ascii")), _CHECKSUM_LEN)


def hash_secret(secret: str) -> bytes:
    """SHA-256 suffices: the secret has 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(secret.encode("ascii")).digest()


def hint(secret: str) -> str:
    """Lets a user recognise a key in listings; the last 4 characters are checksum, not body."""
    match = FULL_MATCH.match(secret)
    if match is None:
        raise ValueError("not an API key secret")
    return f"{PREFIX}_{match.group(1)}_\u2026{secret[-4:]}"


def generate(environment: str) -> IssuedSecret:
    """Issues a new key; the caller stores the hash and hint and shows the secret once."""
    if environment not in ENVIRONMENTS:
        raise ValueError(f"unknown environment {environment!r}")
    body = _b62(int.from_bytes(secrets.token_bytes(_BODY_BYTES), "big"), _BODY_LEN)
    head = f"{PREFIX}_{environment}_{body}"
    secret = head + _checksum(head)
    return IssuedSecret(
        secret=secret,
        secret_hash=hash_secret(secret),
        hint=hint(secret),
        environment=environment,
    )


def parse(candidate: str) -> ParsedKey | None:
    """Rejects any malformed key cheaply, before the database, with one indistinct ``None``."""
    if not isinstance(candidate, str) or len(candidate) > MAX_CANDIDATE_LENGTH:
        return None
    match = FULL_MATCH.match(candidate)
    if match is None:
        return None
    head, checksum = candidate[:-_CHECKSUM_LEN], candidate[-_CHECKSUM_LEN:]
    if _checksum(head) != checksum:
        return None
    return ParsedKey(environment=match.group(1), secret_hash=hash_secret(candidate))
