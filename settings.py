"""Configuration from the environment: every setting has a default that works on a laptop.

The README's Configuration table lists the same names; `Settings.from_env()` is the only reader of
`os.environ` in the server.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

PROJECT_ROOT = Path(__file__).resolve().parent

Environment = Literal["development", "production"]


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message names the variable."""


# Not slotted: from_env() reads the defaults back as class attributes.
@dataclass(frozen=True)
class Settings:
    environment: Environment = "development"
    # None means: start the embedded PostgreSQL (pgserver) in `embedded_pgdata`.
    database_url: str | None = None
    embedded_pgdata: Path = PROJECT_ROOT / ".pgdata"
    host: str = "127.0.0.1"
    port: int = 8080
    pool_min_size: int = 1
    pool_max_size: int = 10
    log_level: str = "INFO"
    # Seconds PostgreSQL may spend on one statement before it cancels it.
    statement_timeout_seconds: float = 5.0

    # Seconds a whole GraphQL request may take; past it the client gets a TIMEOUT error.
    request_timeout_seconds: float = 10.0
    # Seconds to wait for a pooled connection before answering SERVICE_UNAVAILABLE.
    pool_acquire_timeout_seconds: float = 2.0
    # Seconds a connection has to send a complete request's headers (from its start, or from its
    # previous response); connections open at once, beyond which new ones are refused.
    http_header_timeout_seconds: float = 10.0
    max_connections: int = 1000
    # Seconds in-flight requests get to finish after SIGTERM.
    shutdown_timeout_seconds: float = 15.0
    # CSV exports hold a pooled connection while they stream: how many at once (per instance, and per
    # caller), how long one may take in all, and how long the client may leave one write untaken.
    export_max_concurrent: int = 2
    export_max_per_caller: int = 2
    export_timeout_seconds: float = 300.0
    export_stall_seconds: float = 10.0

    # Allocations between young-generation garbage collections (Python's default is 700).
    gc_young_threshold: int = 100_000
    # Queries answered by the fast executor (fastgraph); off: graphql-core's own executor answers all.
    fast_path: bool = True

    # Hostile and oversized queries.
    max_body_bytes: int = 64 * 1024
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_directives_per_field: int = 4
    max_query_cost: int = 50_000
    # Fragments defined, and spreads written, in one document; fields answering under one name in one
    # selection (validation compares those pairwise).
    max_fragments: int = 50
    max_fragment_spreads: int = 100
    # Operations defined in one document (one runs; validation still reads them all).
    max_operations: int = 20
    max_field_repeats: int = 10
    # The size assumed for lists without a page argument (e.g. enablements) when costing a query.
    list_cost_estimate: int = 20
    # "on", "off" or "staff"; GraphiQL and "did you mean" suggestions on or off.
    introspection: Literal["on", "off", "staff"] = "on"
    graphiql: bool = True
    field_suggestions: bool = True

    # Browsers may call the API from these origins (comma-separated); empty allows none.
    cors_origins: str = ""

    # Rate limits, per minute. Shared across instances through Redis when REDIS_URL is set.
    redis_url: str | None = None
    rate_limit_per_key: int = 600
    rate_limit_per_person: int = 600
    rate_limit_per_address: int = 300
    rate_limit_failed_auth_per_address: int = 20
    # While Redis is unreachable (limits then counted per process), how often to try it again.
    rate_limit_redis_retry_seconds: float = 5.0

    # Trusted documents: the manifest of the frontend's operations, and whether administrators (the
    # frontend's users) may send only those.
    trusted_documents_path: Path | None = PROJECT_ROOT / "frontend" / "trusted-documents.json"
    trusted_documents_only_for_people: bool = False
    # Apollo's automatic persisted queries: documents registered by hash, in all, per caller, and the
    # bytes of their text in all (web/persisted_queries.py).
    apq_max_documents: int = 2000
    apq_max_documents_per_caller: int = 100
    apq_max_bytes: int = 8 * 1024 * 1024
    # Answers at least this large are gzip-compressed for clients that ask (web/compression.py).
    compress_min_bytes: int = 1024

    # OpenTelemetry: traces go to this OTLP/HTTP endpoint when set; off otherwise.
    otel_exporter_endpoint: str | None = None

    # JSON log lines (one per request) or plain text.
    log_format: Literal["json", "text"] = "json"

    # Connections: `first`/`last` default and cap.
    default_page_size: int = 20
    max_page_size: int = 100

    # People's tokens (JWT).
    jwt_issuer: str = "carrier-admin-dev"
    jwt_audience: str = "carrier-admin"
    jwt_hs256_secret: str | None = None
    jwt_jwks_path: str | None = None
    jwt_jwks_url: str | None = None
    jwt_leeway_seconds: int = 30
    jwt_claim_name: str = "name"
    jwt_claim_email: str = "email"
    jwt_claim_staff: str = "staff"
    jwt_claim_carriers: str = "carriers"
    jwt_claim_organizations: str = "organizations"

    # The Tools page: the built single-page app served at /, and how people sign in to it.
    frontend_dist: Path = PROJECT_ROOT / "frontend" / "dist"
    # OpenID Connect (production sign-in): the page runs the authorization code flow with PKCE against
    # this issuer; the API verifies its access tokens (JWT_ISSUER defaults to it; JWT_JWKS_URL names
    # its keys).
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_scopes: str = "openid profile email"
    # The development sign-in (pick who you are; tokens signed with the development secret) and the
    # ready-made token on the GraphiQL page. None: on in development when listening on loopback only.
    development_sign_in: bool | None = None

    # /metrics: a bearer token it requires on the public port; or a listener of its own (METRICS_PORT,
    # METRICS_HOST). Production serves it on the public port only with a token.
    metrics_token: str | None = None
    # Subscriptions (GraphQL over WebSocket at /graphql): per connection, per caller, how long a
    # connection may wait for connection_init, the keep-alive ping, and how long one may stay open with
    # no subscription running.
    ws_max_subscriptions: int = 10
    ws_max_connections_per_caller: int = 5
    ws_init_timeout_seconds: float = 10.0
    ws_keepalive_seconds: float = 20.0
    ws_idle_timeout_seconds: float = 300.0
    # A client that does not read: bytes queued for it, or seconds one message waits for it, before its
    # connection is closed (1013).
    ws_max_send_buffer_bytes: int = 1024 * 1024
    ws_send_stall_seconds: float = 5.0
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None

    # Which peers may set X-Forwarded-For (comma-separated CIDR ranges); empty trusts none.
    trusted_proxies: str = ""

    # API keys.
    # The catalogue feature this API obeys: off for a carrier, its keys are refused and none is issued.
    # A catalogue without it leaves keys on.
    api_access_feature: str = "integrations.api_access"
    key_environment: Literal["live", "test"] = "test"
    key_default_lifetime_days: int = 90
    key_max_lifetime_days: int = 365
    allow_non_expiring_keys: bool = False
    max_active_keys_per_carrier: int = 25
    # A key not used for this long is "unused" to the Tools page's nudges (apiKeyPolicy).
    key_unused_after_days: int = 30
    last_used_flush_seconds: float = 60.0
    # How often each instance looks for keys entering their last days or expiring (0: never).
    key_expiry_check_seconds: float = 300.0

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
        env = os.environ if env is None else env
        environment = _choice(env, "CARRIER_ADMIN_ENV", ("development", "production"), "development")
        settings = cls(
            environment=environment,  # type: ignore[arg-type]
            database_url=env.get("DATABASE_URL") or None,
            embedded_pgdata=Path(env.get("EMBEDDED_PGDATA", str(PROJECT_ROOT / ".pgdata"))),
            host=env.get("HOST", cls.host),
            port=_int(env, "PORT", cls.port),
            pool_min_size=_int(env, "DB_POOL_MIN_SIZE", cls.pool_min_size),
            pool_max_size=_int(env, "DB_POOL_MAX_SIZE", cls.pool_max_size),
            log_level=env.get("LOG_LEVEL", cls.log_level).upper(),
            statement_timeout_seconds=_float(
                env, "DB_STATEMENT_TIMEOUT_SECONDS", cls.statement_timeout_seconds
            ),
            request_timeout_seconds=_float(env, "REQUEST_TIMEOUT_SECONDS", cls.request_timeout_seconds),
            pool_acquire_timeout_seconds=_float(
                env, "DB_POOL_ACQUIRE_TIMEOUT_SECONDS", cls.pool_acquire_timeout_seconds
            ),
            shutdown_timeout_seconds=_float(env, "SHUTDOWN_TIMEOUT_SECONDS", cls.shutdown_timeout_seconds),
            http_header_timeout_seconds=_float(
                env, "HTTP_HEADER_TIMEOUT_SECONDS", cls.http_header_timeout_seconds
            ),
            max_connections=_int(env, "MAX_CONNECTIONS", cls.max_connections),
            export_max_concurrent=_int(env, "EXPORT_MAX_CONCURRENT", cls.export_max_concurrent),
            export_max_per_caller=_int(env, "EXPORT_MAX_PER_CALLER", cls.export_max_per_caller),
            export_timeout_seconds=_float(env, "EXPORT_TIMEOUT_SECONDS", cls.export_timeout_seconds),
            export_stall_seconds=_float(env, "EXPORT_STALL_SECONDS", cls.export_stall_seconds),
            gc_young_threshold=_int(env, "GC_YOUNG_THRESHOLD", cls.gc_young_threshold),
            fast_path=fast_path_enabled(env),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", cls.max_body_bytes),
            max_query_depth=_int(env, "MAX_QUERY_DEPTH", cls.max_query_depth),
            max_aliases=_int(env, "MAX_ALIASES", cls.max_aliases),
            max_tokens=_int(env, "MAX_TOKENS", cls.max_tokens),
            max_directives_per_field=_int(env, "MAX_DIRECTIVES_PER_FIELD", cls.max_directives_per_field),
            max_query_cost=_int(env, "MAX_QUERY_COST", cls.max_query_cost),
            max_fragments=_int(env, "MAX_FRAGMENTS", cls.max_fragments),
            max_fragment_spreads=_int(env, "MAX_FRAGMENT_SPREADS", cls.max_fragment_spreads),
            max_operations=_int(env, "MAX_OPERATIONS", cls.max_operations),
            max_field_repeats=_int(env, "MAX_FIELD_REPEATS", cls.max_field_repeats),
            list_cost_estimate=_int(env, "LIST_COST_ESTIMATE", cls.list_cost_estimate),
            introspection=_choice(  # type: ignore[arg-type]
                env, "INTROSPECTION", ("on", "off", "staff"), "staff" if environment == "production" else "on"
            ),
            graphiql=_bool(env, "GRAPHIQL", environment != "production"),
            field_suggestions=_bool(env, "FIELD_SUGGESTIONS", environment != "production"),
            cors_origins=env.get("CORS_ORIGINS", ""),
            redis_url=env.get("REDIS_URL") or None,
            rate_limit_per_key=_int(env, "RATE_LIMIT_PER_KEY", cls.rate_limit_per_key),
            rate_limit_per_person=_int(env, "RATE_LIMIT_PER_PERSON", cls.rate_limit_per_person),
            rate_limit_per_address=_int(env, "RATE_LIMIT_PER_ADDRESS", cls.rate_limit_per_address),
            rate_limit_failed_auth_per_address=_int(
                env, "RATE_LIMIT_FAILED_AUTH_PER_ADDRESS", cls.rate_limit_failed_auth_per_address
            ),
            rate_limit_redis_retry_seconds=_float(
                env, "RATE_LIMIT_REDIS_RETRY_SECONDS", cls.rate_limit_redis_retry_seconds
            ),
            trusted_documents_path=Path(env["TRUSTED_DOCUMENTS_PATH"])
            if env.get("TRUSTED_DOCUMENTS_PATH")
            else cls.trusted_documents_path,
            trusted_documents_only_for_people=_bool(
                env, "TRUSTED_DOCUMENTS_ONLY_FOR_PEOPLE", environment == "production"
            ),
            apq_max_documents=_int(env, "APQ_MAX_DOCUMENTS", cls.apq_max_documents),
            apq_max_documents_per_caller=_int(
                env, "APQ_MAX_DOCUMENTS_PER_CALLER", cls.apq_max_documents_per_caller
            ),
            apq_max_bytes=_int(env, "APQ_MAX_BYTES", cls.apq_max_bytes),
            compress_min_bytes=_int(env, "COMPRESS_MIN_BYTES", cls.compress_min_bytes),
            otel_exporter_endpoint=env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
            log_format=_choice(env, "LOG_FORMAT", ("json", "text"), "json"),  # type: ignore[arg-type]
            default_page_size=_int(env, "DEFAULT_PAGE_SIZE", cls.default_page_size),
            max_page_size=_int(env, "MAX_PAGE_SIZE", cls.max_page_size),
            jwt_issuer=env.get("JWT_ISSUER") or env.get("OIDC_ISSUER") or cls.jwt_issuer,
            jwt_audience=env.get("JWT_AUDIENCE", cls.jwt_audience),
            jwt_hs256_secret=env.get("JWT_HS256_SECRET") or None,
            jwt_jwks_path=env.get("JWT_JWKS_PATH") or None,
            jwt_jwks_url=env.get("JWT_JWKS_URL") or None,
            jwt_leeway_seconds=_int(env, "JWT_LEEWAY_SECONDS", cls.jwt_leeway_seconds),
            jwt_claim_name=env.get("JWT_CLAIM_NAME", cls.jwt_claim_name),
            jwt_claim_email=env.get("JWT_CLAIM_EMAIL", cls.jwt_claim_email),
            jwt_claim_staff=env.get("JWT_CLAIM_STAFF", cls.jwt_claim_staff),
            jwt_claim_carriers=env.get("JWT_CLAIM_CARRIERS", cls.jwt_claim_carriers),
            jwt_claim_organizations=env.get("JWT_CLAIM_ORGANIZATIONS", cls.jwt_claim_organizations),
            trusted_proxies=env.get("TRUSTED_PROXIES", ""),
            metrics_token=env.get("METRICS_TOKEN") or None,
            ws_max_subscriptions=_int(env, "WS_MAX_SUBSCRIPTIONS", cls.ws_max_subscriptions),
            ws_max_connections_per_caller=_int(
                env, "WS_MAX_CONNECTIONS_PER_CALLER", cls.ws_max_connections_per_caller
            ),
            ws_init_timeout_seconds=_float(env, "WS_INIT_TIMEOUT_SECONDS", cls.ws_init_timeout_seconds),
            ws_keepalive_seconds=_float(env, "WS_KEEPALIVE_SECONDS", cls.ws_keepalive_seconds),
            ws_idle_timeout_seconds=_float(env, "WS_IDLE_TIMEOUT_SECONDS", cls.ws_idle_timeout_seconds),
            ws_max_send_buffer_bytes=_int(env, "WS_MAX_SEND_BUFFER_BYTES", cls.ws_max_send_buffer_bytes),
            ws_send_stall_seconds=_float(env, "WS_SEND_STALL_SECONDS", cls.ws_send_stall_seconds),
            metrics_host=env.get("METRICS_HOST") or cls.metrics_host,
            metrics_port=_int(env, "METRICS_PORT", 0) or None,
            frontend_dist=Path(env["FRONTEND_DIST"]) if env.get("FRONTEND_DIST") else cls.frontend_dist,
            oidc_issuer=env.get("OIDC_ISSUER") or None,
            oidc_client_id=env.get("OIDC_CLIENT_ID") or None,
            oidc_scopes=env.get("OIDC_SCOPES") or cls.oidc_scopes,
            development_sign_in=_bool(env, "DEVELOPMENT_SIGN_IN", False)
            if env.get("DEVELOPMENT_SIGN_IN")
            else None,
            api_access_feature=env.get("API_ACCESS_FEATURE") or cls.api_access_feature,
            key_environment=_choice(  # type: ignore[arg-type]
                env,
                "API_KEY_ENVIRONMENT",
                ("live", "test"),
                "live" if environment == "production" else "test",
            ),
            key_default_lifetime_days=_int(
                env, "API_KEY_DEFAULT_LIFETIME_DAYS", cls.key_default_lifetime_days
            ),
            key_max_lifetime_days=_int(env, "API_KEY_MAX_LIFETIME_DAYS", cls.key_max_lifetime_days),
            allow_non_expiring_keys=_bool(env, "API_KEY_ALLOW_NON_EXPIRING", cls.allow_non_expiring_keys),
            key_unused_after_days=_int(env, "API_KEY_UNUSED_AFTER_DAYS", cls.key_unused_after_days),
            max_active_keys_per_carrier=_int(
                env, "API_KEY_MAX_ACTIVE_PER_CARRIER", cls.max_active_keys_per_carrier
            ),
            last_used_flush_seconds=_float(
                env, "API_KEY_LAST_USED_FLUSH_SECONDS", cls.last_used_flush_seconds
            ),
            key_expiry_check_seconds=_float(env, "KEY_EXPIRY_CHECK_SECONDS", cls.key_expiry_check_seconds),
        )
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
        if self.export_max_per_caller < 1:
            raise SettingsError("EXPORT_MAX_PER_CALLER must be at least 1")
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


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def fast_path_enabled(env: Mapping[str, str] | None = None) -> bool:
    """FAST_PATH (default on); read on its own too, for the schema built at import."""
    return _bool(os.environ if env is None else env, "FAST_PATH", Settings.fast_path)


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _optional_bool(env: Mapping[str, str], name: str) -> bool | None:
    return _bool(env, name, False) if env.get(name) else None


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(name) or default
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw
