"""People's bearer tokens: JWTs from the identity provider, verified with PyJWT."""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jwt
from jwt.exceptions import InvalidJTIError, InvalidSubjectError

from settings import Settings

__all__ = [
    "InvalidTokenError",
    "PersonClaims",
    "TokenSettings",
    "TokenVerifier",
    "looks_like_jwt",
    "mint_development_token",
]

# Asymmetric algorithms accepted from a JWKS. HS256 is never taken from a JWKS ("oct" keys) so a
# published key set can't be turned into a shared secret.
_JWKS_ALGORITHMS: Final = frozenset({"RS256", "ES256"})
_HMAC_ALGORITHM: Final = "HS256"
# RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
_MIN_SECRET_BYTES: Final = 32
# Tokens from the identity provider are a few KB at most; refuse giants before any parsing.
_MAX_TOKEN_LENGTH: Final = 16 * 1024
_JWKS_FETCH_TIMEOUT_SECONDS: Final = 5.0
_JWKS_CACHE_SECONDS: Final = 300.0
_JWT_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """Where verification keys come from, what the token must say, and which claims to read."""

    issuer: str = "carrier-admin-dev"
    audience: str = "carrier-admin"
    hs256_secret: str | None = None  # development only
    jwks_path: str | None = None  # a JWKS JSON file
    jwks_url: str | None = None
    leeway_seconds: int = 30
    claim_name: str = "name"
    claim_email: str = "email"
    claim_staff: str = "staff"  # boolean
    claim_carriers: str = "carriers"  # carrier codes the person administers
    claim_organizations: str = "organizations"  # organization UUIDs (strings) administered

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenSettings:
        """The server's configuration (the development secret only where development allows one)."""
        return cls(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            hs256_secret=settings.development_secret(),
            jwks_path=settings.jwt_jwks_path,
            jwks_url=settings.jwt_jwks_url,
            leeway_seconds=settings.jwt_leeway_seconds,
            claim_name=settings.jwt_claim_name,
            claim_email=settings.jwt_claim_email,
            claim_staff=settings.jwt_claim_staff,
            claim_carriers=settings.jwt_claim_carriers,
            claim_organizations=settings.jwt_claim_organizations,
        )


@dataclass(frozen=True, slots=True)
class PersonClaims:
    """Who the verified token speaks for and what they administer."""

    subject: str
    name: str | None
    email: str | None
    is_staff: bool
    carrier_codes: tuple[str, ...]  # upper-cased, de-duplicated, sorted
    organization_ids: tuple[uuid.UUID, ...]  # de-duplicated, sorted
    # The token's `exp` (seconds since the epoch): a verified token may be remembered until then.
    expires_at: float = 0.0


class InvalidTokenError(Exception):
    """The token was refused; `reason` is short and safe to show (it never contains the token)."""

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def looks_like_jwt(token: str) -> bool:
    """Cheap shape test: three dot-separated base64url segments (the signature may be empty)."""
    # An empty signature still counts so that `alg: none` tokens reach verify() and get refused
    # there with a clear reason instead of being mistaken for some other credential.
    return len(token) <= _MAX_TOKEN_LENGTH and _JWT_SHAPE.fullmatch(token) is not None


def _secret_bytes(secret: str) -> bytes:
    key = secret.encode()
    if len(key) < _MIN_SECRET_BYTES:
        raise ValueError(f"hs256_secret must be at least {_MIN_SECRET_BYTES} bytes long")
    return key


def _load_jwks_file(path: str) -> tuple[jwt.PyJWK, ...]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        key_set = jwt.PyJWKSet.from_dict(document)
    except (OSError, ValueError, AttributeError, jwt.PyJWTError) as error:
        raise ValueError(f"cannot load JWKS from {path}: {error}") from error
    keys = tuple(key for key in key_set if _usable_signing_key(key))
    if not keys:
        raise ValueError(f"JWKS {path} holds no RS256 or ES256 signing key")
    return keys


def _usable_signing_key(key: jwt.PyJWK) -> bool:
    return key.algorithm_name in _JWKS_ALGORITHMS and key.public_key_use in (None, "sig")


class TokenVerifier:
    """Verifies bearer tokens against the configured keys and turns them into PersonClaims."""

    def __init__(self, settings: TokenSettings, *, now: Callable[[], float] | None = None) -> None:
        if settings.jwks_path is not None and settings.jwks_url is not None:
            raise ValueError("configure jwks_path or jwks_url, not both")
        if settings.leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        self._settings = settings
        self._now = now or time.time
        self._secret = _secret_bytes(settings.hs256_secret) if settings.hs256_secret is not None else None
        self._jwks_keys: tuple[jwt.PyJWK, ...] = ()
        self._jwks_client: jwt.PyJWKClient | None = None
        if settings.jwks_path is not None:
            # Loaded once: a broken key file should stop start-up, not fail every request.
            self._jwks_keys = _load_jwks_file(settings.jwks_path)
        elif settings.jwks_url is not None:
            try:
                # Nothing is fetched yet; the key set is cached and refetched on an unknown kid.
                self._jwks_client = jwt.PyJWKClient(
                    settings.jwks_url,
                    cache_jwk_set=True,
                    lifespan=_JWKS_CACHE_SECONDS,
                    timeout=_JWKS_FETCH_TIMEOUT_SECONDS,
                )
            except jwt.PyJWTError as error:
                raise ValueError(f"unusable jwks_url: {error}") from error
        if self._secret is None and not self._jwks_keys and self._jwks_client is None:
            raise ValueError("no token verification key configured (hs256_secret or JWKS)")
        allowed: set[str] = set()
        if self._secret is not None:
            allowed.add(_HMAC_ALGORITHM)
        if self._jwks_keys or self._jwks_client is not None:
            allowed |= _JWKS_ALGORITHMS
        self._algorithms = frozenset(allowed)

    def verify(self, token: str) -> PersonClaims:
        """Return the person's claims, or raise InvalidTokenError."""
        if not looks_like_jwt(token):
            raise InvalidTokenError("malformed token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidTokenError("malformed token") from None
        algorithm = header.get("alg")
        # Checked before choosing a key: the header is attacker-controlled, and `none` or an
        # algorithm meant for another kind of key must never select a verification path.
        if not isinstance(algorithm, str) or algorithm not in self._algorithms:
            raise InvalidTokenError("unsupported algorithm")
        key = self._key_for(algorithm, header.get("kid"))
        payload = self._decode(token, key, algorithm)
        self._check_times(payload)
        return self._claims(payload)

    def _key_for(self, algorithm: str, kid: object) -> jwt.PyJWK | bytes:
        if algorithm == _HMAC_ALGORITHM:
            assert self._secret is not None  # guaranteed by the algorithm allow-list
            return self._secret
        if kid is not None and not isinstance(kid, str):
            raise InvalidTokenError("malformed token")
        candidates = self._signing_keys(kid)
        matching = [key for key in candidates if key.algorithm_name == algorithm]
        if kid is None and len(matching) != 1:
            # Without a kid we only guess when the guess cannot be ambiguous.
            raise InvalidTokenError("unknown signing key")
        if not matching:
            raise InvalidTokenError("unknown signing key")
        return matching[0]

    def _signing_keys(self, kid: str | None) -> list[jwt.PyJWK]:
        if self._jwks_client is None:
            return [key for key in self._jwks_keys if kid is None or key.key_id == kid]
        try:
            if kid is not None:
                # Refetches the key set once on an unknown kid, which covers key rotation.
                keys = [self._jwks_client.get_signing_key(kid)]
            else:
                keys = self._jwks_client.get_signing_keys()
        except jwt.PyJWKClientConnectionError:
            raise InvalidTokenError("signing keys unavailable") from None
        except jwt.PyJWTError:
            raise InvalidTokenError("unknown signing key") from None
        return [key for key in keys if _usable_signing_key(key)]

    def _decode(self, token: str, key: jwt.PyJWK | bytes, algorithm: str) -> dict[str, Any]:
        settings = self._settings
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=settings.audience,
                issuer=settings.issuer,
                options={
                    "require": ["exp", "sub", "iss", "aud"],
                    # Times are checked in _check_times against the injectable clock.
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.MissingRequiredClaimError as error:
            raise InvalidTokenError(_missing_claim_reason(error.claim)) from None
        except jwt.InvalidSignatureError:
            raise InvalidTokenError("bad signature") from None
        except jwt.InvalidAlgorithmError:
            raise InvalidTokenError("unsupported algorithm") from None
        except jwt.InvalidIssuerError:
            raise InvalidTokenError("wrong issuer") from None
        except jwt.InvalidAudienceError:
            raise InvalidTokenError("wrong audience") from None
        except (InvalidSubjectError, InvalidJTIError, jwt.InvalidIssuedAtError):
            raise InvalidTokenError("claims invalid") from None
        except jwt.InvalidKeyError:
            raise InvalidTokenError("signing key rejected") from None
        except jwt.PyJWTError:
            raise InvalidTokenError("malformed token") from None
        return payload

    def _check_times(self, payload: dict[str, Any]) -> None:
        now = self._now()
        leeway = self._settings.leeway_seconds
        expires = _timestamp(payload["exp"])
        if expires <= now - leeway:
            raise InvalidTokenError("token expired")
        for claim in ("nbf", "iat"):
            if claim in payload and _timestamp(payload[claim]) > now + leeway:
                raise InvalidTokenError("token not yet valid")

    def _claims(self, payload: dict[str, Any]) -> PersonClaims:
        settings = self._settings
        subject = payload["sub"]
        if not isinstance(subject, str) or not subject.strip():
            raise InvalidTokenError("claims invalid")
        return PersonClaims(
            subject=subject,
            name=_optional_string(payload.get(settings.claim_name)),
            email=_optional_string(payload.get(settings.claim_email)),
            is_staff=_flag(payload.get(settings.claim_staff)),
            carrier_codes=_carrier_codes(payload.get(settings.claim_carriers)),
            organization_ids=_organization_ids(payload.get(settings.claim_organizations)),
            expires_at=float(_timestamp(payload["exp"])),
        )


def _missing_claim_reason(claim: str) -> str:
    if claim == "iss":
        return "wrong issuer"
    if claim == "aud":
        return "wrong audience"
    return "claims invalid"


def _timestamp(value: object) -> float:
    # bool is an int subclass; `"exp": true` is a broken token, not 1970-01-01T00:00:01.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTokenError("claims invalid")
    if not math.isfinite(value):
        raise InvalidTokenError("claims invalid")
    return float(value)


def _optional_string(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidTokenError("claims invalid")


def _flag(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    # "true" or 1 are refused rather than coerced: staff rights must be stated unambiguously.
    raise InvalidTokenError("claims invalid")


def _string_list(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidTokenError("claims invalid")
    return value


def _carrier_codes(value: object) -> tuple[str, ...]:
    codes = {item.strip().upper() for item in _string_list(value)}
    if "" in codes:
        raise InvalidTokenError("claims invalid")
    return tuple(sorted(codes))


def _organization_ids(value: object) -> tuple[uuid.UUID, ...]:
    try:
        ids = {uuid.UUID(item) for item in _string_list(value)}
    except ValueError:
        raise InvalidTokenError("claims invalid") from None
    return tuple(sorted(ids))


def mint_development_token(
    settings: TokenSettings,
    *,
    subject: str,
    name: str,
    email: str | None = None,
    staff: bool = False,
    carrier_codes: Sequence[str] = (),
    organization_ids: Sequence[uuid.UUID] = (),
    lifetime_seconds: int = 8 * 3600,
    now: float | None = None,
) -> str:
    """Sign an HS256 token for local development and tests; refuses without a shared secret."""
    if settings.hs256_secret is None:
        raise RuntimeError("no hs256_secret configured: development tokens cannot be minted")
    if lifetime_seconds <= 0:
        raise ValueError("lifetime_seconds must be positive")
    issued_at = int(time.time() if now is None else now)
    payload: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": subject,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + lifetime_seconds,
        settings.claim_name: name,
        settings.claim_staff: staff,
        settings.claim_carriers: list(carrier_codes),
        settings.claim_organizations: [str(org_id) for org_id in organization_ids],
    }
    if email is not None:
        payload[settings.claim_email] = email
    return jwt.encode(payload, _secret_bytes(settings.hs256_secret), algorithm=_HMAC_ALGORITHM)
