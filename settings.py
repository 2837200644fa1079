"""Configuration from the environment: every setting has a default that works on a laptop.

Each setting is declared once (`setting(...)` beside its attribute): `Settings.from_env()` reads them all
from those declarations, and `python -m settings` prints the README's Configuration table from them (a
test fails when the README's differs). `Settings.from_env()` is the only reader of `os.environ`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent

Environment = Literal["development", "production"]


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message names the variable."""


class _Unset:
    """No production default of its own."""


UNSET: Any = _Unset()
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Declared:
    variable: str
    meaning: str
    production: Any = UNSET
    # Another variable whose value is the default (JWT_ISSUER falls back to OIDC_ISSUER).
    fallback: str | None = None
    # How the text is read, where the type alone does not say.
    read: Callable[[str], Any] | None = None


def setting(
    variable: str,
    default: T,
    meaning: str,
    *,
    production: T = UNSET,
    fallback: str | None = None,
    read: Callable[[str], T] | None = None,
) -> T:
    """A setting's declaration: its default, environment variable, meaning and production default."""
    declared = Declared(variable, meaning, production, fallback, read)
    found: T = dataclasses.field(default=default, metadata={"setting": declared})
    return found


# Each setting is declared once, here: its attribute, type and default, its environment variable, what it
# means (the README's Configuration table is printed from these: `python -m settings`), and its default
# under CARRIER_ADMIN_ENV=production where that differs. Not slotted: the defaults are read back.
@dataclass(frozen=True)
class Settings:
    environment: Environment = setting(
        "CARRIER_ADMIN_ENV", "development", "`production` turns off development conveniences"
    )
    database_url: str | None = setting(
        "DATABASE_URL", None, "PostgreSQL to use; unset: the embedded PostgreSQL (pgserver)"
    )
    embedded_pgdata: Path = setting(
        "EMBEDDED_PGDATA", PROJECT_ROOT / ".pgdata", "data directory of the embedded PostgreSQL"
    )
    host: str = setting("HOST", "127.0.0.1", "the address the server listens on")
    port: int = setting("PORT", 8080, "the port the server listens on")
    pool_min_size: int = setting("DB_POOL_MIN_SIZE", 1, "connections the pool keeps open")
    pool_max_size: int = setting("DB_POOL_MAX_SIZE", 10, "connections the pool may open")
    log_level: str = setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR", read=str.upper)
    log_format: Literal["json", "text"] = setting(
        "LOG_FORMAT", "json", "one JSON line per request (`text` for people)"
    )
    statement_timeout_seconds: float = setting(
        "DB_STATEMENT_TIMEOUT_SECONDS", 5.0, "PostgreSQL cancels a statement running longer"
    )
    request_timeout_seconds: float = setting(
        "REQUEST_TIMEOUT_SECONDS", 10.0, "a whole GraphQL request; then `TIMEOUT`"
    )
    pool_acquire_timeout_seconds: float = setting(
        "DB_POOL_ACQUIRE_TIMEOUT_SECONDS", 2.0, "wait for a connection before answering `SERVICE_UNAVAILABLE`"
    )
    http_header_timeout_seconds: float = setting(
        "HTTP_HEADER_TIMEOUT_SECONDS",
        10.0,
        "a connection must send a complete request's headers within this (from its start, or from its "
        "previous response)",
    )
    max_connections: int = setting("MAX_CONNECTIONS", 1000, "open connections; beyond, a new one gets 503")
    shutdown_timeout_seconds: float = setting(
        "SHUTDOWN_TIMEOUT_SECONDS", 15.0, "the whole stop after SIGTERM (Operations)"
    )
    export_max_concurrent: int = setting(
        "EXPORT_MAX_CONCURRENT",
        3,
        "CSV exports streaming at once on an instance (less than DB_POOL_MAX_SIZE)",
    )
    export_max_per_caller: int = setting(
        "EXPORT_MAX_PER_CALLER",
        1,
        "CSV exports streaming at once per caller (at most EXPORT_MAX_CONCURRENT; fewer, so that one caller "
        "never takes them all)",
    )
    export_timeout_seconds: float = setting("EXPORT_TIMEOUT_SECONDS", 300.0, "an export's whole time")
    export_stall_seconds: float = setting(
        "EXPORT_STALL_SECONDS", 10.0, "how long one write of an export may wait for the client"
    )
    gc_young_threshold: int = setting(
        "GC_YOUNG_THRESHOLD",
        100_000,
        "allocations between Python's young-generation collections when serving (Python's own: 700)",
    )
    fast_path: bool = setting(
        "FAST_PATH", True, "the fast executor (fastgraph); `false` leaves every query to graphql-core's"
    )
    lean_path: bool = setting(
        "LEAN_PATH",
        True,
        "the lean HTTP path for queries whose plan is kept; `false` sends all through Strawberry's view",
    )
    max_body_bytes: int = setting("MAX_BODY_BYTES", 64 * 1024, "request body size")
    max_query_depth: int = setting("MAX_QUERY_DEPTH", 12, "nesting of fields (introspection not counted)")
    max_aliases: int = setting("MAX_ALIASES", 30, "aliases in one document")
    max_tokens: int = setting("MAX_TOKENS", 2000, "lexical tokens in one document")
    max_directives_per_field: int = setting("MAX_DIRECTIVES_PER_FIELD", 4, "directives on one field")
    max_query_cost: int = setting(
        "MAX_QUERY_COST", 50_000, "cost: each field 1, multiplied down the tree by page sizes"
    )
    max_fragments: int = setting("MAX_FRAGMENTS", 50, "fragment definitions in one document")
    max_fragment_spreads: int = setting("MAX_FRAGMENT_SPREADS", 100, "spreads of fragments in one document")
    max_operations: int = setting(
        "MAX_OPERATIONS", 20, "operations defined in one document (one of them runs; all are validated)"
    )
    max_field_repeats: int = setting(
        "MAX_FIELD_REPEATS", 10, "times one field may be selected in one selection set (however aliased)"
    )
    list_cost_estimate: int = setting(
        "LIST_COST_ESTIMATE", 20, "the size assumed, when costing a query, for lists without page arguments"
    )
    default_page_size: int = setting(
        "DEFAULT_PAGE_SIZE",
        20,
        "a connection's page without `first`/`last` (unless set, lowered with MAX_PAGE_SIZE below it)",
    )
    max_page_size: int = setting("MAX_PAGE_SIZE", 100, "the most `first`/`last` may ask for")
    max_ids_per_request: int = setting(
        "MAX_IDS_PER_REQUEST",
        100,
        "ids one argument may list (`nodes(ids:)`, `createOrganization`'s carriers)",
    )
    introspection: Literal["on", "off", "staff"] = setting(
        "INTROSPECTION", "on", "`on`, `off`, or for `staff` only", production="staff"
    )
    graphiql: bool = setting("GRAPHIQL", True, "the GraphiQL page", production=False)
    field_suggestions: bool = setting(
        "FIELD_SUGGESTIONS", True, '"did you mean" hints in errors', production=False
    )
    cors_origins: str = setting(
        "CORS_ORIGINS", "", "origins browsers may call from (comma-separated); empty allows none"
    )
    redis_url: str | None = setting(
        "REDIS_URL", None, "share rate limits across instances; each instance counts alone otherwise"
    )
    rate_limit_per_key: int = setting("RATE_LIMIT_PER_KEY", 600, "requests per minute per API key")
    rate_limit_per_person: int = setting("RATE_LIMIT_PER_PERSON", 600, "requests per minute per person")
    rate_limit_per_address: int = setting(
        "RATE_LIMIT_PER_ADDRESS",
        300,
        "requests per minute per client address, for callers without credentials",
    )
    rate_limit_failed_auth_per_address: int = setting(
        "RATE_LIMIT_FAILED_AUTH_PER_ADDRESS",
        20,
        "credentials that match nothing, per minute per client address; past it they get 429 (valid ones "
        "are served)",
    )
    rate_limit_redis_retry_seconds: float = setting(
        "RATE_LIMIT_REDIS_RETRY_SECONDS",
        5.0,
        "while Redis does not answer, limits are counted in process and Redis is tried again this often",
    )
    trusted_documents_path: Path = setting(
        "TRUSTED_DOCUMENTS_PATH",
        PROJECT_ROOT / "frontend" / "trusted-documents.json",
        "the frontend's operations",
    )
    trusted_documents_only_for_people: bool = setting(
        "TRUSTED_DOCUMENTS_ONLY_FOR_PEOPLE",
        False,
        "administrators may send only trusted documents",
        production=True,
    )
    apq_max_documents: int = setting(
        "APQ_MAX_DOCUMENTS", 2000, "documents registered by Apollo's automatic persisted queries, in all"
    )
    apq_max_documents_per_caller: int = setting(
        "APQ_MAX_DOCUMENTS_PER_CALLER", 100, "documents registered by automatic persisted queries, per caller"
    )
    apq_max_bytes: int = setting(
        "APQ_MAX_BYTES", 8 * 1024 * 1024, "bytes of text of the registered documents, in all"
    )
    compress_min_bytes: int = setting(
        "COMPRESS_MIN_BYTES",
        1024,
        "GraphQL answers at least this large are gzip-compressed for clients that ask",
    )
    otel_exporter_endpoint: str | None = setting(
        "OTEL_EXPORTER_OTLP_ENDPOINT", None, "send traces to this OTLP/HTTP collector"
    )
    jwt_issuer: str = setting(
        "JWT_ISSUER",
        "carrier-admin-dev",
        "the required `iss` (default: OIDC_ISSUER when set)",
        fallback="OIDC_ISSUER",
    )
    jwt_audience: str = setting("JWT_AUDIENCE", "carrier-admin", "the required `aud`")
    jwt_hs256_secret: str | None = setting(
        "JWT_HS256_SECRET",
        None,
        "shared secret for development tokens (development: a random one in .dev-jwt-secret)",
    )
    jwt_jwks_path: str | None = setting("JWT_JWKS_PATH", None, "the identity provider's keys, in a file")
    jwt_jwks_url: str | None = setting(
        "JWT_JWKS_URL", None, "the identity provider's keys (this or JWT_JWKS_PATH is required in production)"
    )
    jwt_leeway_seconds: int = setting("JWT_LEEWAY_SECONDS", 30, "clock skew allowed")
    jwt_claim_name: str = setting("JWT_CLAIM_NAME", "name", "the claim with the person's name")
    jwt_claim_email: str = setting("JWT_CLAIM_EMAIL", "email", "the claim with the person's email")
    jwt_claim_staff: str = setting("JWT_CLAIM_STAFF", "staff", "the claim that marks platform staff")
    jwt_claim_carriers: str = setting(
        "JWT_CLAIM_CARRIERS", "carriers", "the claim listing carrier codes administered"
    )
    jwt_claim_organizations: str = setting(
        "JWT_CLAIM_ORGANIZATIONS", "organizations", "the claim listing organization ids administered"
    )
    frontend_dist: Path = setting(
        "FRONTEND_DIST", PROJECT_ROOT / "frontend" / "dist", "the built Tools page the server serves at `/`"
    )
    oidc_issuer: str | None = setting(
        "OIDC_ISSUER", None, "the Tools page's OpenID Connect provider (production sign-in)"
    )
    oidc_client_id: str | None = setting("OIDC_CLIENT_ID", None, "the Tools page's client id at the provider")
    oidc_scopes: str = setting("OIDC_SCOPES", "openid profile email", "the scopes the Tools page asks for")
    development_sign_in: bool | None = setting(
        "DEVELOPMENT_SIGN_IN",
        None,
        'the Tools page\'s "sign in as" screen and `/auth/dev-token`; unset: on in development when '
        "listening on loopback (refused in production)",
    )
    metrics_token: str | None = setting(
        "METRICS_TOKEN",
        None,
        "`/metrics` on the public port needs this bearer token (in production, without one it is not "
        "served there)",
    )
    metrics_host: str = setting("METRICS_HOST", "127.0.0.1", "where METRICS_PORT's listener binds")
    metrics_port: int | None = setting(
        "METRICS_PORT",
        None,
        "serve `/metrics` on a listener of its own instead",
        read=lambda raw: int(raw) or None,
    )
    ws_max_subscriptions: int = setting("WS_MAX_SUBSCRIPTIONS", 10, "subscriptions per WebSocket connection")
    ws_max_connections_per_caller: int = setting(
        "WS_MAX_CONNECTIONS_PER_CALLER", 5, "subscription connections per caller"
    )
    ws_init_timeout_seconds: float = setting(
        "WS_INIT_TIMEOUT_SECONDS", 10.0, "the `connection_init` deadline"
    )
    ws_keepalive_seconds: float = setting("WS_KEEPALIVE_SECONDS", 20.0, "the WebSocket ping interval")
    ws_idle_timeout_seconds: float = setting(
        "WS_IDLE_TIMEOUT_SECONDS", 300.0, "a connection with no subscription is closed after this"
    )
    ws_max_send_buffer_bytes: int = setting(
        "WS_MAX_SEND_BUFFER_BYTES",
        1024 * 1024,
        "a client that does not read is closed (1013) past this many bytes waiting",
    )
    ws_send_stall_seconds: float = setting(
        "WS_SEND_STALL_SECONDS",
        5.0,
        "a client that does not read is closed (1013) once one message waited this long",
    )
    ws_db_connections: int = setting(
        "WS_DB_CONNECTIONS",
        3,
        "pool connections all subscriptions' reads hold at once; further events wait their turn (less than "
        "DB_POOL_MAX_SIZE minus EXPORT_MAX_CONCURRENT, so that GraphQL always has some)",
    )
    trusted_proxies: str = setting(
        "TRUSTED_PROXIES", "", "CIDR ranges (comma-separated) whose X-Forwarded-For is believed; empty: none"
    )
    api_access_feature: str = setting(
        "API_ACCESS_FEATURE",
        "integrations.api_access",
        "the catalogue feature that turns a carrier's API keys on and off (a catalogue without it leaves "
        "them on)",
    )
    key_environment: Literal["live", "test"] = setting(
        "API_KEY_ENVIRONMENT", "test", "the marker in new keys", production="live"
    )
    key_default_lifetime_days: int = setting(
        "API_KEY_DEFAULT_LIFETIME_DAYS", 90, "the expiry a key gets when none is asked for"
    )
    key_max_lifetime_days: int = setting(
        "API_KEY_MAX_LIFETIME_DAYS", 365, "the latest expiry a key may be given"
    )
    allow_non_expiring_keys: bool = setting(
        "API_KEY_ALLOW_NON_EXPIRING", False, "whether staff may issue keys that never expire"
    )
    max_active_keys_per_carrier: int = setting(
        "API_KEY_MAX_ACTIVE_PER_CARRIER", 25, "active keys per carrier (and service keys, together)"
    )
    key_unused_after_days: int = setting(
        "API_KEY_UNUSED_AFTER_DAYS", 30, "a key unused this long is flagged (`apiKeyPolicy.unusedAfterDays`)"
    )
    last_used_flush_seconds: float = setting(
        "API_KEY_LAST_USED_FLUSH_SECONDS",
        60.0,
        "keys' last uses, refusals and usage counts are written at most this often (a crash loses at most "
        "this much)",
    )
    key_usage_retention_days: int = setting(
        "API_KEY_USAGE_RETENTION_DAYS", 90, "keys' hourly usage counts are deleted after this many days"
    )
    key_expiry_check_seconds: float = setting(
        "KEY_EXPIRY_CHECK_SECONDS", 300.0, "how often the expiry notices job runs (0: never)"
    )
    change_request_expiry_hours: float = setting(
        "CHANGE_REQUEST_EXPIRY_HOURS",
        168.0,
        "a request to Support (`requestChange`) not approved or declined within this many hours expires",
    )

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip())

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def listens_on_loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

    @property
    def development_sign_in_allowed(self) -> bool:
        """Whether anyone who can reach the server may pick who they are (and GraphiQL carries a staff
        token): development settings only, and by default only on a loopback address."""
        if self.is_production:
            return False
        if self.development_sign_in is not None:
            return self.development_sign_in
        return self.listens_on_loopback

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every setting from its variable, else its default (its production default where it has one
        and CARRIER_ADMIN_ENV=production); an unusable value is a SettingsError naming the variable."""
        env = os.environ if env is None else env
        hints = typing.get_type_hints(cls)
        environment = _parse(
            env.get("CARRIER_ADMIN_ENV") or "development", "CARRIER_ADMIN_ENV", hints["environment"]
        )
        values = {
            declared.name: _value(env, declared, hints[declared.name], environment == "production")
            for declared in dataclasses.fields(cls)
        }
        if "DEFAULT_PAGE_SIZE" not in env:
            # Lowering the page size limit is one setting: the default page follows it down.
            values["default_page_size"] = min(values["default_page_size"], values["max_page_size"])
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.pool_min_size < 0 or self.pool_max_size < max(1, self.pool_min_size):
            raise SettingsError("DB_POOL_MAX_SIZE must be at least 1 and at least DB_POOL_MIN_SIZE")
        # A shared secret is a development convenience; production verifies the IdP's keys.
        if self.is_production and not (self.jwt_jwks_path or self.jwt_jwks_url):
            raise SettingsError(
                "CARRIER_ADMIN_ENV=production needs JWT_JWKS_URL or JWT_JWKS_PATH, not only JWT_HS256_SECRET"
            )
        if not 1 <= self.export_max_concurrent < self.pool_max_size:
            # Exports must never be able to take the whole pool from GraphQL.
            raise SettingsError("EXPORT_MAX_CONCURRENT must be at least 1 and less than DB_POOL_MAX_SIZE")
        if not 1 <= self.ws_db_connections < self.pool_max_size - self.export_max_concurrent:
            # Subscriptions' reads, like exports, must leave GraphQL part of the pool.
            raise SettingsError(
                "WS_DB_CONNECTIONS must be at least 1 and less than DB_POOL_MAX_SIZE minus "
                "EXPORT_MAX_CONCURRENT"
            )
        if not 1 <= self.export_max_per_caller <= self.export_max_concurrent:
            raise SettingsError("EXPORT_MAX_PER_CALLER must be at least 1 and at most EXPORT_MAX_CONCURRENT")
        if min(self.export_timeout_seconds, self.export_stall_seconds) <= 0:
            raise SettingsError("EXPORT_TIMEOUT_SECONDS and EXPORT_STALL_SECONDS must be positive")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise SettingsError("DEFAULT_PAGE_SIZE must be between 1 and MAX_PAGE_SIZE")
        if self.is_production and self.development_sign_in:
            raise SettingsError("DEVELOPMENT_SIGN_IN cannot be turned on with CARRIER_ADMIN_ENV=production")
        if bool(self.oidc_issuer) != bool(self.oidc_client_id):
            raise SettingsError("OIDC_ISSUER and OIDC_CLIENT_ID go together: set both or neither")
        if self.key_default_lifetime_days > self.key_max_lifetime_days:
            raise SettingsError("API_KEY_DEFAULT_LIFETIME_DAYS must not exceed API_KEY_MAX_LIFETIME_DAYS")
        if self.change_request_expiry_hours <= 0:
            raise SettingsError("CHANGE_REQUEST_EXPIRY_HOURS must be positive")

    def development_secret(self) -> str | None:
        """The HS256 secret people's development tokens are signed with.

        In development, without JWT_HS256_SECRET, a random secret is kept in a git-ignored file so that
        the server and the `token` command agree. Production never gets one implicitly.
        """
        if self.jwt_hs256_secret:
            return self.jwt_hs256_secret
        if self.is_production:
            return None
        path = PROJECT_ROOT / ".dev-jwt-secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def fast_path_enabled(env: Mapping[str, str] | None = None) -> bool:
    """FAST_PATH (default on); read on its own too, for the schema built at import."""
    raw = (os.environ if env is None else env).get("FAST_PATH")
    return True if not raw else _bool(raw, "FAST_PATH")


def _value(env: Mapping[str, str], declared: dataclasses.Field[Any], kind: Any, production: bool) -> Any:
    meta: Declared = declared.metadata["setting"]
    raw = env.get(meta.variable) or (env.get(meta.fallback) if meta.fallback else None)
    if not raw:
        return meta.production if production and meta.production is not UNSET else declared.default
    if meta.read is not None:
        try:
            return meta.read(raw)
        except ValueError:
            raise SettingsError(f"{meta.variable} has an unusable value {raw[:60]!r}") from None
    return _parse(raw, meta.variable, kind)


def _parse(raw: str, variable: str, kind: Any) -> Any:
    """A variable's text as the setting's type: int, float, bool, text, a path, one of a Literal's."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # X | None
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if typing.get_origin(kind) is Literal:
        choices = typing.get_args(kind)
        if raw not in choices:
            raise SettingsError(f"{variable} must be one of {', '.join(choices)}, got {raw!r}")
        return raw
    if kind is bool:
        return _bool(raw, variable)
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise SettingsError(f"{variable} must be {what}, got {raw!r}") from None
    return Path(raw) if kind is Path else raw


def _bool(raw: str, variable: str) -> bool:
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{variable} must be true or false, got {raw!r}")


def table() -> str:
    """The README's Configuration table: every setting, as declared here."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for declared in dataclasses.fields(Settings):
        meta: Declared = declared.metadata["setting"]
        default = _shown(declared.default)
        if meta.production is not UNSET:
            default += f" (*prod*: {_shown(meta.production)})"
        lines.append(f"| `{meta.variable}` | {default} | {meta.meaning} |")
    return "\n".join(lines)


def _shown(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, Path):
        return f"`{value.relative_to(PROJECT_ROOT)}`" if value.is_relative_to(PROJECT_ROOT) else f"`{value}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


if __name__ == "__main__":
    print(table())
