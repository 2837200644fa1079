"""Who is calling: turns a request's credentials into a Principal, or refuses them.

- `Authorization: Bearer cak_...` is an API key: format and checksum first (no database work for a
  malformed key), then one lookup by the SHA-256 of the secret, then status, expiry and allowlist.
- `Authorization: Bearer <JWT>` is a person, verified against the identity provider's keys.
- No credentials: the anonymous principal, which reaches only fields marked @public.
Credentials in a URL are refused outright: URLs end up in logs and browser histories.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from access import keyformat, principal
from access.addresses import IPAddress, address_text, client_address, parse_networks
from access.principal import ANONYMOUS, Principal
from access.tokens import InvalidTokenError, PersonClaims, TokenSettings, TokenVerifier, looks_like_jwt
from db import api_keys, carriers
from db.api_keys import ApiKeyRow, VerifiedKey
from db.pool import Database
from resolvers.key_verification import KeyRefused, ends_at, judge_key
from services.key_cache import KeyCache
from settings import Settings

# One message for a malformed key and an unknown one: an attacker learns nothing from the difference.
INVALID_KEY = "Invalid API key."
TOKEN_CACHE_SIZE = 10_000
ADMITTED_SIZE = 10_000
URL_CREDENTIAL_PARAMETERS = frozenset({"api_key", "apikey", "key", "access_token", "token", "auth"})


URL_CREDENTIALS = (
    "Credentials in the URL are refused: send them in the Authorization header (over WebSocket, in "
    "connection_init). Treat a key that was put in a URL as leaked and rotate it."
)


def credentials_in_url(query: Mapping[str, str]) -> bool:
    """Whether a URL's query carries something that is, or is named like, a credential."""
    return any(name.lower() in URL_CREDENTIAL_PARAMETERS for name in query) or any(
        keyformat.PATTERN.search(text) for item in query.items() for text in item
    )


class AuthenticationError(Exception):
    """Credentials were sent but cannot be accepted; `message` helps their owner, not an attacker."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "invalid",
        status: int = 401,
        code: str = "UNAUTHENTICATED",
        key_id: uuid.UUID | None = None,
        refusal: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # For metrics: invalid, revoked, expired, address, api_access, token, url, scheme.
        self.kind = kind
        self.status = status
        self.code = code
        # A known key refused (revoked, expired...): its id and why, for the key's usage record.
        self.key_id = key_id
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    address: IPAddress | None
    # The key row for an API key caller: last use is recorded from it.
    key: ApiKeyRow | None = None
    # When the credential stops working, in seconds since the epoch (a token's `exp`, a key's expiry
    # or the end of its grace period): a WebSocket connection authenticated with it is closed then. A
    # number, not a datetime: an issuer may sign an `exp` beyond any calendar.
    ends_at: float | None = None
    # A key caller's address as its last use records it (web/callers.note_use), written once per
    # admission kept (see Admitted) rather than once per request.
    used_from: str | None = None


@dataclass(frozen=True, slots=True)
class Admitted:
    """A remembered key's last admission. The verdict on a key depends on its row (fixed for a remembered
    `found`: any change makes the cache forget it, and a new lookup a new object), the address (its
    allowlist) and the clock (its expiry, the end of a rotation's grace: the caller's `ends_at`, before
    which the key is active). So the same `found` from the same address is admitted again, as the same
    caller, until then: no judgement per request."""

    found: VerifiedKey
    address: IPAddress | None
    caller: Caller

    def admits(self, found: VerifiedKey, address: IPAddress | None, now: datetime) -> bool:
        ends_at = self.caller.ends_at
        return (
            self.found is found
            and (self.address is address or self.address == address)
            and (ends_at is None or now.timestamp() < ends_at)
        )


@dataclass(slots=True)
class VerifiedToken:
    claims: PersonClaims
    expires_at: float
    # The principal it names, once final (Authenticator._person_principal): built once, not per request.
    principal: Principal | None = None


class Authenticator:
    def __init__(self, settings: Settings, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.now = now
        self.trusted_proxies = parse_networks(settings.trusted_proxies)
        self.token_settings = TokenSettings.from_settings(settings)
        # Tokens' expiry is judged by the same clock as keys' (tests move it).
        self.verifier = TokenVerifier(self.token_settings, now=lambda: self.now().timestamp())
        # Verified tokens by their text: a signature check per request is the largest fixed cost of a
        # person's request. Expiry is still judged on every request (see _person).
        self.verified: dict[str, VerifiedToken] = {}
        # Carrier codes never change and carriers are never deleted: code → id can be remembered.
        self.carrier_ids: dict[str, uuid.UUID] = {}
        # Verified keys, while the change feed listens (services/key_cache.py); set when the database opens.
        self.key_cache: KeyCache | None = None
        # Each remembered key's last admission, by its secret's hash (see Admitted); bounded.
        self.admitted: dict[bytes, Admitted] = {}

    def address_of(self, remote: str | None, forwarded_for: str | None) -> IPAddress | None:
        return client_address(remote, forwarded_for, self.trusted_proxies)

    async def authenticate(
        self,
        *,
        authorization: str | None,
        query: Mapping[str, str],
        address: IPAddress | None,
        database: Database,
    ) -> Caller:
        if credentials_in_url(query):
            raise AuthenticationError(URL_CREDENTIALS, kind="url")
        if authorization is None or not authorization.strip():
            return Caller(ANONYMOUS, address)
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise AuthenticationError("Use `Authorization: Bearer <API key or token>`.", kind="scheme")
        if credential.startswith(f"{keyformat.PREFIX}_"):
            return await self._api_key(credential, address, database)
        # A token verified before needs no shape test (a regular expression over its whole text, 1% of
        # a person's small request): only a token that had the shape was verified.
        if credential in self.verified or looks_like_jwt(credential):
            person, ends_at = await self._person(credential, database)
            return Caller(person, address, ends_at=ends_at)
        raise AuthenticationError("The bearer credential is neither an API key nor a token.", kind="scheme")

    async def _api_key(self, secret: str, address: IPAddress | None, database: Database) -> Caller:
        now = self.now()
        secret_hash = self._rememberable_hash(secret)
        cache = self.key_cache
        remembered = cache.get(secret_hash) if cache is not None and secret_hash is not None else None
        if remembered is not None and secret_hash is not None:
            found = remembered.found
            admitted = self.admitted.get(secret_hash)
            if found is not None and admitted is not None and admitted.admits(found, address, now):
                return admitted.caller
        else:
            parsed = keyformat.parse(secret)
            if parsed is None:
                raise AuthenticationError(INVALID_KEY)
            found = await self._looked_up(parsed.secret_hash, database)
        if found is None:
            raise AuthenticationError(INVALID_KEY)
        judged = judge_key(found, address, now, self.settings.api_access_feature)
        if isinstance(judged, KeyRefused):
            raise AuthenticationError(
                judged.message,
                kind=judged.kind,
                status=judged.status,
                code=judged.code,
                key_id=found.row.id,
                refusal=judged.refusal,
            )
        caller = Caller(judged, address, found.row, ends_at=ends_at(found), used_from=address_text(address))
        if secret_hash is not None and self.key_cache is not None:
            self._admit(secret_hash, Admitted(found, address, caller))
        return caller

    def _rememberable_hash(self, secret: str) -> bytes | None:
        """The hash the cache may remember this secret by, while it remembers anything. Only well-formed
        secrets are remembered (`_looked_up` after `keyformat.parse`), and only a remembered secret
        hashes to a remembered hash: a secret found by it needs no format and checksum check (4 µs of a
        request)."""
        if self.key_cache is None or not secret.isascii() or len(secret) > keyformat.MAX_CANDIDATE_LENGTH:
            return None
        return keyformat.hash_secret(secret)

    def _admit(self, secret_hash: bytes, admitted: Admitted) -> None:
        if len(self.admitted) >= ADMITTED_SIZE:
            self.admitted.clear()  # crude but bounded; the next request of each key is judged again
        self.admitted[secret_hash] = admitted

    async def _looked_up(self, secret_hash: bytes, database: Database) -> VerifiedKey | None:
        """The key with this secret, from PostgreSQL, remembered unless a change came meanwhile."""
        cache = self.key_cache
        generation = cache.generation if cache is not None else 0
        async with database.acquire() as conn:
            found = await api_keys.by_secret_hash(
                conn, secret_hash=secret_hash, access_feature=self.settings.api_access_feature
            )
        if cache is not None:
            cache.remember(secret_hash, found, generation)
        return found

    async def _person(self, token: str, database: Database) -> tuple[Principal, float]:
        """The person a token names, and when the token expires."""
        verified = self.verified.get(token)
        if verified is None or self.now().timestamp() >= verified.expires_at:
            verified = await self._verify(token)
        if verified.principal is not None:
            return verified.principal, verified.expires_at
        person, complete = await self._person_principal(verified.claims, database)
        if complete:
            verified.principal = person
        return person, verified.expires_at

    async def _verify(self, token: str) -> VerifiedToken:
        try:
            if self.settings.jwt_jwks_url:
                # Fetching the key set is blocking network I/O: keep it off the event loop.
                claims = await asyncio.to_thread(self.verifier.verify, token)
            else:
                claims = self.verifier.verify(token)
        except InvalidTokenError as error:
            self.verified.pop(token, None)
            raise AuthenticationError(f"Invalid token: {error.reason}.", kind="token") from None
        return self._remember(token, claims)

    def _remember(self, token: str, claims: PersonClaims) -> VerifiedToken:
        """Keep a verified token until its expiry (not past it, whatever the leeway)."""
        if len(self.verified) >= TOKEN_CACHE_SIZE:
            self.verified.clear()  # crude but bounded; verification simply runs again
        verified = self.verified[token] = VerifiedToken(claims, claims.expires_at)
        return verified

    async def _person_principal(self, claims: PersonClaims, database: Database) -> tuple[Principal, bool]:
        """The principal the claims name, and whether it is final: an administrator's carriers are named by
        code, and a code no carrier has yet may be a carrier's later (codes never change, and carriers are
        never deleted, so one found stays found)."""
        if claims.is_staff:
            return principal.staff(claims.subject, claims.name, claims.email), True
        missing = [code for code in claims.carrier_codes if code not in self.carrier_ids]
        if missing:
            async with database.acquire() as conn:
                self.carrier_ids.update(await carriers.ids_by_codes(conn, codes=missing))
        carrier_ids = tuple(
            sorted(self.carrier_ids[code] for code in claims.carrier_codes if code in self.carrier_ids)
        )
        person = principal.admin(
            claims.subject,
            claims.name,
            claims.email,
            carrier_ids,
            claims.organization_ids,
        )
        return person, all(code in self.carrier_ids for code in claims.carrier_codes)
