"""Bearer token verification: valid tokens round-trip, everything else is refused with a reason."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from access.tokens import (
    InvalidTokenError,
    PersonClaims,
    TokenSettings,
    TokenVerifier,
    looks_like_jwt,
    mint_development_token,
)

SECRET = "development-secret-that-is-long-enough-0123456789"
OTHER_SECRET = "another-development-secret-also-long-enough-987654"
NOW = 1_750_000_000.0
ORG_A = uuid.UUID("6f1c1d1e-0000-4000-8000-00000000000a")
ORG_B = uuid.UUID("6f1c1d1e-0000-4000-8000-00000000000b")
SETTINGS = TokenSettings(hs256_secret=SECRET)


def _clock() -> float:
    return NOW


def _verifier(settings: TokenSettings = SETTINGS) -> TokenVerifier:
    return TokenVerifier(settings, now=_clock)


def _payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "iss": SETTINGS.issuer,
        "aud": SETTINGS.audience,
        "sub": "person-1",
        "iat": int(NOW),
        "exp": int(NOW) + 600,
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not ...}


def _hs256(payload: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _refusal(verifier: TokenVerifier, token: str) -> InvalidTokenError:
    with pytest.raises(InvalidTokenError) as caught:
        verifier.verify(token)
    return caught.value


# --- round trips -------------------------------------------------------------------------------


def test_minted_token_round_trips_with_all_claims() -> None:
    token = mint_development_token(
        SETTINGS,
        subject="person-1",
        name="Ada Lovelace",
        email="ada@example.org",
        staff=True,
        carrier_codes=["sbb", "BLS", " sbb "],
        organization_ids=[ORG_B, ORG_A, ORG_B],
        now=NOW,
    )

    claims = _verifier().verify(token)

    assert claims == PersonClaims(
        subject="person-1",
        name="Ada Lovelace",
        email="ada@example.org",
        is_staff=True,
        carrier_codes=("BLS", "SBB"),
        organization_ids=(ORG_A, ORG_B),
        expires_at=float(int(NOW) + 8 * 3600),
    )


def test_minimal_token_has_no_rights() -> None:
    claims = _verifier().verify(_hs256(_payload()))

    assert claims == PersonClaims(
        subject="person-1",
        name=None,
        email=None,
        is_staff=False,
        carrier_codes=(),
        organization_ids=(),
        expires_at=float(int(NOW) + 600),
    )


def test_null_optional_claims_count_as_absent() -> None:
    token = _hs256(_payload(name=None, email=None, staff=None, carriers=None, organizations=None))

    claims = _verifier().verify(token)

    assert (claims.name, claims.is_staff, claims.carrier_codes) == (None, False, ())


def test_custom_claim_names_are_used_for_minting_and_reading() -> None:
    settings = TokenSettings(
        issuer="https://id.example.org",
        audience="portal",
        hs256_secret=SECRET,
        claim_name="display_name",
        claim_email="mail",
        claim_staff="https://example.org/staff",
        claim_carriers="https://example.org/carriers",
        claim_organizations="https://example.org/orgs",
    )
    token = mint_development_token(
        settings,
        subject="person-2",
        name="Grace Hopper",
        email="grace@example.org",
        staff=True,
        carrier_codes=["rhb"],
        organization_ids=[ORG_A],
        now=NOW,
    )

    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["display_name"] == "Grace Hopper"
    assert raw["mail"] == "grace@example.org"
    assert raw["https://example.org/staff"] is True
    assert raw["https://example.org/carriers"] == ["rhb"]
    assert raw["https://example.org/orgs"] == [str(ORG_A)]
    assert "name" not in raw
    assert "staff" not in raw

    claims = _verifier(settings).verify(token)
    assert claims == PersonClaims(
        subject="person-2",
        name="Grace Hopper",
        email="grace@example.org",
        is_staff=True,
        carrier_codes=("RHB",),
        organization_ids=(ORG_A,),
        expires_at=float(raw["exp"]),
    )


def test_default_claim_names_are_ignored_when_custom_names_are_configured() -> None:
    settings = TokenSettings(hs256_secret=SECRET, claim_staff="is_admin")
    token = _hs256(_payload(staff=True))

    assert _verifier(settings).verify(token).is_staff is False


def test_audience_list_containing_ours_is_accepted() -> None:
    token = _hs256(_payload(aud=["other-api", SETTINGS.audience]))

    assert _verifier().verify(token).subject == "person-1"


def test_real_clock_is_used_by_default() -> None:
    verifier = TokenVerifier(SETTINGS)
    fresh = mint_development_token(SETTINGS, subject="p", name="P")
    assert verifier.verify(fresh).subject == "p"

    now = int(time.time())
    expired = _hs256(_payload(iat=now - 3600, exp=now - 31))
    within_leeway = _hs256(_payload(iat=now - 3600, exp=now - 10))
    assert _refusal(verifier, expired).reason == "token expired"
    assert verifier.verify(within_leeway).subject == "person-1"


# --- time ------------------------------------------------------------------------------------


def test_expired_beyond_leeway_is_refused() -> None:
    token = _hs256(_payload(iat=int(NOW) - 3600, exp=int(NOW) - 31))

    assert _refusal(_verifier(), token).reason == "token expired"


def test_expired_within_leeway_is_accepted() -> None:
    token = _hs256(_payload(iat=int(NOW) - 3600, exp=int(NOW) - 10))

    assert _verifier().verify(token).subject == "person-1"


def test_minted_token_expires_after_its_lifetime() -> None:
    token = mint_development_token(SETTINGS, subject="p", name="P", lifetime_seconds=60, now=NOW - 100)

    assert _refusal(_verifier(), token).reason == "token expired"


def test_not_yet_valid_beyond_leeway_is_refused() -> None:
    token = _hs256(_payload(nbf=int(NOW) + 31))

    assert _refusal(_verifier(), token).reason == "token not yet valid"


def test_not_yet_valid_within_leeway_is_accepted() -> None:
    token = _hs256(_payload(nbf=int(NOW) + 10))

    assert _verifier().verify(token).subject == "person-1"


def test_issued_in_the_future_is_refused() -> None:
    token = _hs256(_payload(iat=int(NOW) + 120, exp=int(NOW) + 600))

    assert _refusal(_verifier(), token).reason == "token not yet valid"


def test_leeway_is_configurable() -> None:
    strict = TokenSettings(hs256_secret=SECRET, leeway_seconds=0)
    token = _hs256(_payload(exp=int(NOW) - 1))

    assert _refusal(_verifier(strict), token).reason == "token expired"


# --- issuer, audience, signature ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "someone-else"}, "wrong issuer"),
        ({"iss": ...}, "wrong issuer"),
        ({"aud": "another-api"}, "wrong audience"),
        ({"aud": ["another-api", "third-api"]}, "wrong audience"),
        ({"aud": ...}, "wrong audience"),
    ],
)
def test_issuer_and_audience_must_match(overrides: dict[str, Any], reason: str) -> None:
    token = _hs256(_payload(**overrides))

    assert _refusal(_verifier(), token).reason == reason


def test_signature_with_another_secret_is_refused() -> None:
    token = _hs256(_payload(), secret=OTHER_SECRET)

    assert _refusal(_verifier(), token).reason == "bad signature"


def test_tampered_payload_is_refused() -> None:
    header, _payload_part, signature = _hs256(_payload()).split(".")
    forged = f"{header}.{_b64(_payload(staff=True))}.{signature}"

    assert _refusal(_verifier(), forged).reason == "bad signature"


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "typ": "JWT"},
        {"alg": "None"},
        {"alg": "NONE"},
        {"typ": "JWT"},
        {"alg": None},
        {"alg": "HS512"},
    ],
)
def test_unsigned_or_unexpected_algorithms_are_refused(header: dict[str, Any]) -> None:
    token = f"{_b64(header)}.{_b64(_payload(staff=True))}."

    assert looks_like_jwt(token)
    assert _refusal(_verifier(), token).reason == "unsupported algorithm"


def test_alg_none_with_a_signature_segment_is_refused() -> None:
    token = f"{_b64({'alg': 'none'})}.{_b64(_payload())}.c2lnbmF0dXJl"

    assert _refusal(_verifier(), token).reason == "unsupported algorithm"


# --- malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "...",
        "Bearer abc.def.ghi",
        "\x00\xff garbage \u2603",
        "eyJhbGciOiJIUzI1NiJ9.!!!.abc",
        f"{base64.urlsafe_b64encode(b'[1,2]').decode().rstrip('=')}.{_b64({})}.sig",
        "x" * 20_000 + ".a.b",
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert _refusal(_verifier(), token).reason == "malformed token"


def _signed_by_hand(header: dict[str, Any], body: str) -> str:
    signing_input = f"{_b64(header)}.{body}"
    signature = jwt.get_algorithm_by_name("HS256").sign(signing_input.encode(), SECRET.encode())
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_correctly_signed_payload_that_is_not_json_is_malformed() -> None:
    token = _signed_by_hand({"alg": "HS256"}, "bm90IGpzb24")

    assert _refusal(_verifier(), token).reason == "malformed token"


def test_non_string_kid_is_malformed() -> None:
    token = _signed_by_hand({"alg": "HS256", "kid": 7}, _b64(_payload()))

    assert _refusal(_verifier(), token).reason == "malformed token"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", True),
        ("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", True),
        ("a-b_c.d.e", True),
        ("", False),
        ("abc", False),
        ("a.b", False),
        ("a.b.c.d", False),
        (".b.c", False),
        ("a..c", False),
        ("a b.c.d", False),
        ("a+b.c.d", False),
        ("a.b.c=", False),
        ("ca_live_0123456789", False),
    ],
)
def test_looks_like_jwt(text: str, expected: bool) -> None:
    assert looks_like_jwt(text) is expected


# --- claim types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": ...},
        {"sub": 123},
        {"sub": ""},
        {"sub": "   "},
        {"exp": ...},
        {"exp": "tomorrow"},
        {"exp": True},
        {"nbf": "yesterday"},
        {"iat": [1]},
        {"name": 5},
        {"email": ["a@example.org"]},
        {"staff": "true"},
        {"staff": 1},
        {"carriers": "SBB"},
        {"carriers": ["SBB", 7]},
        {"carriers": [""]},
        {"carriers": {"SBB": True}},
        {"organizations": str(ORG_A)},
        {"organizations": ["not-a-uuid"]},
        {"organizations": [str(ORG_A), 42]},
        {"jti": 99},
    ],
)
def test_claims_of_the_wrong_type_are_refused(overrides: dict[str, Any]) -> None:
    token = _hs256(_payload(**overrides))

    assert _refusal(_verifier(), token).reason == "claims invalid"


# --- safety of the error -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        _hs256(_payload(exp=int(NOW) - 3600)),
        _hs256(_payload(iss="evil")),
        _hs256(_payload(), secret=OTHER_SECRET),
        _hs256(_payload(staff="yes")),
        f"{_b64({'alg': 'none'})}.{_b64(_payload())}.",
        f"{_b64({'alg': 'HS256'})}.bm90IGpzb24.sig",
    ],
)
def test_token_never_appears_in_the_error(token: str) -> None:
    error = _refusal(_verifier(), token)

    rendered = f"{error} {error!r} {error.reason} {error.args}"
    for segment in (token, *[part for part in token.split(".") if len(part) > 3]):
        assert segment not in rendered
    # PyJWT's own exception must not ride along in a traceback either.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


# --- configuration -----------------------------------------------------------------------------


def test_minting_without_a_secret_is_refused() -> None:
    with pytest.raises(RuntimeError, match="hs256_secret"):
        mint_development_token(TokenSettings(), subject="p", name="P")


def test_short_secrets_are_refused() -> None:
    short = TokenSettings(hs256_secret="too-short")
    with pytest.raises(ValueError, match="32 bytes"):
        TokenVerifier(short)
    with pytest.raises(ValueError, match="32 bytes"):
        mint_development_token(short, subject="p", name="P")


def test_verifier_without_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="no token verification key"):
        TokenVerifier(TokenSettings())


def test_jwks_path_and_url_together_are_refused(tmp_path: Path) -> None:
    settings = TokenSettings(jwks_path=str(tmp_path / "jwks.json"), jwks_url="https://id/jwks")
    with pytest.raises(ValueError, match="not both"):
        TokenVerifier(settings)


def test_non_http_jwks_url_is_refused() -> None:
    with pytest.raises(ValueError, match="jwks_url"):
        TokenVerifier(TokenSettings(jwks_url="file:///etc/passwd"))


# --- JWKS (RS256 / ES256) ----------------------------------------------------------------------


class Keys:
    """Key pairs of an identity provider, published as a JWKS."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True)
        ec_jwk = ECAlgorithm.to_jwk(self.ec.public_key(), as_dict=True)
        return {
            "keys": [
                {**rsa_jwk, "kid": "rsa-1", "use": "sig", "alg": "RS256"},
                {**ec_jwk, "kid": "ec-1", "use": "sig"},
            ]
        }

    def rs256(self, payload: dict[str, Any], kid: str | None = "rsa-1") -> str:
        headers = {"kid": kid} if kid is not None else None
        return jwt.encode(payload, self.rsa, algorithm="RS256", headers=headers)

    def es256(self, payload: dict[str, Any], kid: str | None = "ec-1") -> str:
        headers = {"kid": kid} if kid is not None else None
        return jwt.encode(payload, self.ec, algorithm="ES256", headers=headers)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


@pytest.fixture
def jwks_settings(tmp_path: Path, keys: Keys) -> TokenSettings:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(keys.jwks()), encoding="utf-8")
    return TokenSettings(jwks_path=str(path))


def test_rs256_token_verifies_against_jwks_file(keys: Keys, jwks_settings: TokenSettings) -> None:
    token = keys.rs256(_payload(name="Ada", carriers=["sbb"], organizations=[str(ORG_A)]))

    claims = _verifier(jwks_settings).verify(token)

    assert claims.subject == "person-1"
    assert claims.name == "Ada"
    assert claims.carrier_codes == ("SBB",)
    assert claims.organization_ids == (ORG_A,)


def test_es256_token_verifies_against_jwks_file(keys: Keys, jwks_settings: TokenSettings) -> None:
    token = keys.es256(_payload(staff=True))

    assert _verifier(jwks_settings).verify(token).is_staff is True


def test_jwks_tokens_get_the_same_time_checks(keys: Keys, jwks_settings: TokenSettings) -> None:
    token = keys.es256(_payload(exp=int(NOW) - 31))

    assert _refusal(_verifier(jwks_settings), token).reason == "token expired"


def test_token_signed_by_another_key_with_a_known_kid_is_refused(
    jwks_settings: TokenSettings,
) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_payload(), impostor, algorithm="RS256", headers={"kid": "rsa-1"})

    assert _refusal(_verifier(jwks_settings), token).reason == "bad signature"


def test_unknown_kid_is_refused(keys: Keys, jwks_settings: TokenSettings) -> None:
    token = keys.rs256(_payload(), kid="rotated-away")

    assert _refusal(_verifier(jwks_settings), token).reason == "unknown signing key"


def test_kid_of_a_key_for_another_algorithm_is_refused(keys: Keys, jwks_settings: TokenSettings) -> None:
    # An ES256 token naming the RSA key must not be checked with that key.
    token = keys.es256(_payload(), kid="rsa-1")

    assert _refusal(_verifier(jwks_settings), token).reason == "unknown signing key"


def test_missing_kid_is_accepted_only_when_unambiguous(keys: Keys, tmp_path: Path) -> None:
    path = tmp_path / "one-rsa-key.json"
    rsa_jwk = RSAAlgorithm.to_jwk(keys.rsa.public_key(), as_dict=True)
    path.write_text(json.dumps({"keys": [rsa_jwk]}), encoding="utf-8")
    single = _verifier(TokenSettings(jwks_path=str(path)))

    assert single.verify(keys.rs256(_payload(), kid=None)).subject == "person-1"

    two_rsa = TokenSettings(jwks_path=str(path))
    other = RSAAlgorithm.to_jwk(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), as_dict=True
    )
    path.write_text(json.dumps({"keys": [rsa_jwk, other]}), encoding="utf-8")
    ambiguous = _verifier(two_rsa)
    assert _refusal(ambiguous, keys.rs256(_payload(), kid=None)).reason == "unknown signing key"


def test_hs256_token_is_refused_when_only_jwks_is_configured(
    keys: Keys, jwks_settings: TokenSettings
) -> None:
    # The classic confusion attack: HMAC-sign with the published RSA public key as the secret.
    public_pem = keys.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"})
    body = _b64(_payload(staff=True))
    signature = jwt.get_algorithm_by_name("HS256").sign(f"{header}.{body}".encode(), public_pem)
    forged = f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    assert _refusal(_verifier(jwks_settings), forged).reason == "unsupported algorithm"
    assert _refusal(_verifier(jwks_settings), _hs256(_payload())).reason == ("unsupported algorithm")


def test_rs256_token_is_refused_when_only_the_secret_is_configured(keys: Keys) -> None:
    token = keys.rs256(_payload())

    assert _refusal(_verifier(), token).reason == "unsupported algorithm"


def test_secret_and_jwks_together_accept_both(keys: Keys, jwks_settings: TokenSettings) -> None:
    settings = TokenSettings(hs256_secret=SECRET, jwks_path=jwks_settings.jwks_path)
    verifier = _verifier(settings)

    assert verifier.verify(_hs256(_payload())).subject == "person-1"
    assert verifier.verify(keys.rs256(_payload())).subject == "person-1"


def test_symmetric_keys_in_a_jwks_are_never_used(tmp_path: Path) -> None:
    path = tmp_path / "oct.json"
    secret_b64 = base64.urlsafe_b64encode(SECRET.encode()).rstrip(b"=").decode()
    path.write_text(
        json.dumps({"keys": [{"kty": "oct", "k": secret_b64, "kid": "shared"}]}), encoding="utf-8"
    )

    with pytest.raises(ValueError, match="no RS256 or ES256 signing key"):
        TokenVerifier(TokenSettings(jwks_path=str(path)))


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"keys": []}', '{"keys": [{}]}'])
def test_unusable_jwks_file_is_refused_at_start_up(tmp_path: Path, content: str) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ValueError, match="JWKS"):
        TokenVerifier(TokenSettings(jwks_path=str(path)))


def test_missing_jwks_file_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot load JWKS"):
        TokenVerifier(TokenSettings(jwks_path=str(tmp_path / "absent.json")))


# --- JWKS over HTTP ----------------------------------------------------------------------------


@pytest.fixture
def jwks_url(keys: Keys) -> Iterator[str]:
    body = json.dumps(keys.jwks()).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_rs256_and_es256_verify_against_jwks_url(keys: Keys, jwks_url: str) -> None:
    verifier = _verifier(TokenSettings(jwks_url=jwks_url))

    assert verifier.verify(keys.rs256(_payload())).subject == "person-1"
    assert verifier.verify(keys.es256(_payload())).subject == "person-1"
    assert _refusal(verifier, keys.rs256(_payload(), kid="unknown")).reason == ("unknown signing key")
    assert _refusal(verifier, _hs256(_payload())).reason == "unsupported algorithm"


def test_unreachable_jwks_url_is_reported(keys: Keys) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    verifier = _verifier(TokenSettings(jwks_url=f"http://127.0.0.1:{port}/jwks.json"))

    assert _refusal(verifier, keys.rs256(_payload())).reason == "signing keys unavailable"
