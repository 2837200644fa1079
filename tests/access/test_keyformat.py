"""The API key format: generated keys round-trip, and anything malformed is rejected as ``None``."""

from __future__ import annotations

import random
import secrets
import string
import time

import pytest

from access import keyformat
from access.keyformat import (
    ENVIRONMENTS,
    FULL_MATCH,
    PATTERN,
    PREFIX,
    generate,
    hash_secret,
    hint,
    parse,
)

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
BODY_LEN = 43
CHECKSUM_LEN = 6


def _key_length(environment: str) -> int:
    return len(PREFIX) + 1 + len(environment) + 1 + BODY_LEN + CHECKSUM_LEN


def _b62_decode(text: str) -> int:
    value = 0
    for char in text:
        value = value * 62 + ALPHABET.index(char)
    return value


def _tail_start(environment: str) -> int:
    """Index where the base62 part (body, then checksum) begins."""
    return len(PREFIX) + 1 + len(environment) + 1


@pytest.fixture
def valid_key() -> str:
    return generate("live").secret


def test_alphabet_is_digits_upper_lower() -> None:
    assert keyformat._ALPHABET == ALPHABET


def test_generated_keys_round_trip() -> None:
    seen: set[str] = set()
    hashes: set[bytes] = set()
    for i in range(5000):
        environment = ("live", "test")[i % 2]
        issued = generate(environment)
        secret = issued.secret
        assert issued.environment == environment
        assert len(secret) == _key_length(environment)
        assert secret.startswith(f"{PREFIX}_{environment}_")
        assert FULL_MATCH.match(secret) is not None
        found = PATTERN.search(secret)
        assert found is not None
        assert found.group(0) == secret
        assert issued.secret_hash == hash_secret(secret)
        assert len(issued.secret_hash) == 32
        assert parse(secret) == keyformat.ParsedKey(environment=environment, secret_hash=issued.secret_hash)
        body = secret[_tail_start(environment) : -CHECKSUM_LEN]
        assert len(body) == BODY_LEN
        assert issued.hint == f"{PREFIX}_{environment}_\u2026{secret[-4:]}"
        assert issued.hint == hint(secret)
        assert issued.hint.endswith(secret[-4:])
        assert body not in issued.hint
        # The hint's visible characters all come from the checksum, never the random body.
        assert secret[-4:] == secret[-CHECKSUM_LEN:][-4:]
        seen.add(secret)
        hashes.add(issued.secret_hash)
    assert len(seen) == 5000
    assert len(hashes) == 5000


def test_body_is_the_random_bytes_in_base62(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw in (b"\x00" * 32, b"\xff" * 32, bytes(range(32)), b"\x00" * 31 + b"\x01"):
        monkeypatch.setattr(secrets, "token_bytes", lambda n, raw=raw: raw[:n])
        issued = generate("test")
        body = issued.secret[_tail_start("test") : -CHECKSUM_LEN]
        assert len(body) == BODY_LEN
        assert _b62_decode(body) == int.from_bytes(raw, "big")
        assert parse(issued.secret) is not None
    monkeypatch.setattr(secrets, "token_bytes", lambda n: b"\x00" * n)
    assert generate("live").secret.startswith("cak_live_" + "0" * BODY_LEN)


def test_checksum_is_crc32_of_everything_before_it(valid_key: str) -> None:
    import zlib

    head, checksum = valid_key[:-CHECKSUM_LEN], valid_key[-CHECKSUM_LEN:]
    assert _b62_decode(checksum) == zlib.crc32(head.encode("ascii"))


def test_every_single_character_change_is_rejected_exhaustively() -> None:
    for environment in ("live", "test", "live"):
        secret = generate(environment).secret
        for position in range(_tail_start(environment), len(secret)):
            for replacement in ALPHABET:
                if replacement == secret[position]:
                    continue
                mutated = secret[:position] + replacement + secret[position + 1 :]
                assert FULL_MATCH.match(mutated) is not None
                assert parse(mutated) is None, (secret, position, replacement)


def test_single_character_changes_are_rejected_on_many_keys() -> None:
    rng = random.Random(20240601)  # noqa: S311 -- reproducible choice of typos, not a secret
    for i in range(200):
        environment = ("live", "test")[i % 2]
        secret = generate(environment).secret
        for position in range(_tail_start(environment), len(secret)):
            replacement = rng.choice(ALPHABET.replace(secret[position], ""))
            mutated = secret[:position] + replacement + secret[position + 1 :]
            assert parse(mutated) is None, (secret, position, replacement)


def test_swapped_environment_fails_checksum() -> None:
    secret = generate("live").secret
    assert parse(secret.replace("cak_live_", "cak_test_", 1)) is None


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda key: "", id="empty"),
        pytest.param(lambda key: " " + key, id="leading-space"),
        pytest.param(lambda key: key + " ", id="trailing-space"),
        pytest.param(lambda key: key + "\n", id="trailing-newline"),
        pytest.param(lambda key: "\t" + key + "\r\n", id="tabs-and-crlf"),
        pytest.param(lambda key: "xak" + key[3:], id="wrong-prefix"),
        pytest.param(lambda key: "CAK" + key[3:], id="uppercase-prefix"),
        pytest.param(lambda key: "Cak" + key[3:], id="capitalised-prefix"),
        pytest.param(lambda key: key.replace("_live_", "_LIVE_", 1), id="uppercase-env"),
        pytest.param(lambda key: key.replace("_live_", "_prod_", 1), id="unknown-env"),
        pytest.param(lambda key: key.replace("_live_", "_", 1), id="missing-env"),
        pytest.param(lambda key: key.replace("cak_", "cak-", 1), id="wrong-separator"),
        pytest.param(lambda key: key[4:], id="no-prefix"),
        pytest.param(lambda key: key[:-1], id="too-short-by-one"),
        pytest.param(lambda key: key[:20], id="truncated"),
        pytest.param(lambda key: key + "0", id="too-long-by-one"),
        pytest.param(lambda key: key + key, id="doubled"),
        pytest.param(lambda key: key[:-7] + "-" + key[-6:], id="dash-in-body"),
        pytest.param(lambda key: key[:-7] + "_" + key[-6:], id="underscore-in-body"),
        pytest.param(lambda key: key[:-7] + "+" + key[-6:], id="base64-char"),
        pytest.param(lambda key: key[:-7] + "\u0663" + key[-6:], id="arabic-indic-digit"),
        pytest.param(lambda key: key[:-7] + "\uff21" + key[-6:], id="fullwidth-letter"),
        pytest.param(lambda key: key[:-7] + "\u00e9" + key[-6:], id="accented-letter"),
        pytest.param(lambda key: key[:-7] + "\x00" + key[-6:], id="nul"),
        pytest.param(lambda key: key[:-1] + "\u200b", id="zero-width-space"),
        pytest.param(lambda key: key.upper(), id="uppercased"),
        pytest.param(lambda key: key.lower(), id="lowercased"),
        pytest.param(lambda key: "cak_live_" + "0" * 49, id="all-zero-wrong-checksum"),
    ],
)
def test_malformed_keys_are_rejected(mutate: object, valid_key: str) -> None:
    assert callable(mutate)
    candidate = mutate(valid_key)
    assert isinstance(candidate, str)
    assert candidate != valid_key
    assert parse(candidate) is None


@pytest.mark.parametrize(
    "candidate",
    [None, 42, 4.2, b"cak_live_", bytearray(b"cak_test_"), ["cak_live_"], object()],
)
def test_non_strings_are_rejected(candidate: object) -> None:
    assert parse(candidate) is None  # type: ignore[arg-type]


def test_bytes_of_a_valid_key_are_rejected(valid_key: str) -> None:
    assert parse(valid_key.encode("ascii")) is None  # type: ignore[arg-type]


def test_huge_input_is_rejected_quickly(valid_key: str) -> None:
    huge_inputs = [
        "a" * 10_000_000,
        valid_key + "a" * 10_000_000,
        "cak_live_" + "0" * 10_000_000,
        valid_key * 200_000,
    ]
    for candidate in huge_inputs:
        started = time.perf_counter()
        assert parse(candidate) is None
        assert time.perf_counter() - started < 0.05


def test_pattern_finds_keys_in_surrounding_text() -> None:
    live = generate("live").secret
    test = generate("test").secret
    log_line = f'2024-06-01T12:00:00Z INFO request headers={{"Authorization": "Bearer {live}"}}'
    dotenv = f"# carrier admin\nCARRIER_ADMIN_KEY={test}\nOTHER=value\n"
    url = f"https://example.invalid/hook?key={live}&x=1"
    found = PATTERN.search(log_line)
    assert found is not None
    assert found.group(0) == live
    assert found.group(1) == "live"
    found = PATTERN.search(dotenv)
    assert found is not None
    assert found.group(0) == test
    assert [m.group(0) for m in PATTERN.finditer(f"{log_line}\n{dotenv}\n{url}")] == [
        live,
        test,
        live,
    ]
    assert FULL_MATCH.match(log_line) is None


def test_pattern_does_not_match_inside_longer_tokens(valid_key: str) -> None:
    assert PATTERN.search(valid_key + "x") is None
    assert PATTERN.search("x" + valid_key) is None
    assert PATTERN.search(valid_key[:-1]) is None


def test_generate_rejects_unknown_environment() -> None:
    for environment in ("prod", "", "LIVE", " live", "live "):
        with pytest.raises(ValueError, match="unknown environment"):
            generate(environment)


def test_environments_and_prefix() -> None:
    assert PREFIX == "cak"
    assert frozenset({"live", "test"}) == ENVIRONMENTS


def test_hash_secret_is_sha256(valid_key: str) -> None:
    import hashlib

    assert hash_secret(valid_key) == hashlib.sha256(valid_key.encode("ascii")).digest()


def test_hint_rejects_non_keys() -> None:
    with pytest.raises(ValueError, match="not an API key secret"):
        hint("not a key")
