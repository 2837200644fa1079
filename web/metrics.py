"""Prometheus metrics, served at /metrics. One registry per application (tests build many apps)."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)

from db.pool import PoolDatabase
from schema.build import FAST_PATH
from services.change_feed import ChangeFeed
from services.key_cache import KeyCache
from web.answered_metrics import AnsweredRequests
from web.lean_counters import LEAN
from web.rate_limit import RateLimiter


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # Requests answered, their latency and statements: plain numbers on the request path.
        self.answers = AnsweredRequests()
        self.registry.register(self.answers)
        self.rate_limited = Counter(
            "carrier_admin_rate_limit_refusals",
            "Requests refused by a rate limit.",
            ["bucket"],
            registry=self.registry,
        )
        self.key_verifications = Counter(
            "carrier_admin_api_key_verifications",
            "API key verifications by result (ok, invalid, revoked, expired, address, error).",
            ["result"],
            registry=self.registry,
        )
        # Every key request is an "ok" verification: counted in a plain number on the request path (a
        # prometheus counter takes a lock and three calls) and added to the counter when scraped.
        self.keys_admitted = 0
        self._keys_admitted_counted = 0
        self._key_verified = self.key_verifications.labels("ok")
        self.rate_limits_shared = Gauge(
            "carrier_admin_rate_limits_shared",
            "1 while rate limits are counted in Redis (shared by every instance); 0 while each process "
            "counts on its own (no REDIS_URL, or Redis unreachable).",
            registry=self.registry,
        )
        self.pool_size = Gauge(
            "carrier_admin_db_pool_size", "Connections in the pool.", registry=self.registry
        )
        self.pool_idle = Gauge(
            "carrier_admin_db_pool_idle", "Idle connections in the pool.", registry=self.registry
        )

        self.websockets = Gauge(
            "carrier_admin_websocket_connections", "Open subscription connections.", registry=self.registry
        )
        self.subscription_events = Counter(
            "carrier_admin_subscription_events", "Events sent to subscribers.", registry=self.registry
        )
        self.slow_websockets = Counter(
            "carrier_admin_websocket_too_slow",
            "Subscription connections closed because the client did not read what was sent to it.",
            registry=self.registry,
        )
        self.exports = Gauge(
            "carrier_admin_exports_running", "CSV exports streaming now.", registry=self.registry
        )
        self.change_feed_listening = Gauge(
            "carrier_admin_change_feed_listening",
            "1 while this instance hears the change feed (and may remember verified API keys); 0 while it "
            "reconnects or has no feed.",
            registry=self.registry,
        )
        self.change_feed_notifications = Gauge(
            "carrier_admin_change_feed_notifications",
            "Change notifications heard since start.",
            registry=self.registry,
        )
        self.change_feed_reconnects = Gauge(
            "carrier_admin_change_feed_reconnects",
            "Times the change feed's connection was opened again since start.",
            registry=self.registry,
        )
        self.fast_path = Gauge(
            "carrier_admin_fast_path_operations",
            "Operations since start answered by the fast executor (served), left to graphql-core from "
            "the start (not_eligible), or begun and handed to graphql-core (fell_back); of those served, "
            "how many ran a plan an earlier request of the same document had built (planned); and the "
            "lists those built straight from their rows, making no view objects (from_rows).",
            ["outcome"],
            registry=self.registry,
        )
        self.lean_path = Gauge(
            "carrier_admin_lean_path_requests",
            "Requests since start answered by the lean HTTP path (served), sent to the view before running "
            "(passed), or run and handed to the view (handed: errors or warnings).",
            ["outcome"],
            registry=self.registry,
        )
        self.key_cache = Gauge(
            "carrier_admin_api_key_cache",
            "API key verifications answered from memory (hit) or PostgreSQL (miss), and the keys remembered "
            "(size), since start.",
            ["what"],
            registry=self.registry,
        )

    def render(
        self, database: object, rate_limiter: RateLimiter, feed: ChangeFeed | None, keys: KeyCache | None
    ) -> web.Response:
        self.rate_limits_shared.set(1 if rate_limiter.backend == "redis" else 0)
        admitted = self.keys_admitted - self._keys_admitted_counted
        self._keys_admitted_counted = self.keys_admitted
        if admitted:
            self._key_verified.inc(admitted)
        self.change_feed_listening.set(1 if feed is not None and feed.listening else 0)
        if feed is not None:
            self.change_feed_notifications.set(feed.stats.notifications)
            self.change_feed_reconnects.set(feed.stats.reconnects)
        for outcome, count in vars(FAST_PATH).items():
            self.fast_path.labels(outcome).set(count)
        for outcome, count in vars(LEAN).items():
            self.lean_path.labels(outcome).set(count)
        if keys is not None:
            self.key_cache.labels("hit").set(keys.stats.hits)
            self.key_cache.labels("miss").set(keys.stats.misses)
            self.key_cache.labels("size").set(len(keys.keys))
        if isinstance(database, PoolDatabase):
            self.pool_size.set(database.pool.get_size())
            self.pool_idle.set(database.pool.get_idle_size())
        body = generate_latest(self.registry)
        response = web.Response(body=body)
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        return response

    def answered(self, operation: str, outcome: str, seconds: float, statements: int | None) -> None:
        """One GraphQL request answered: counted by operation and outcome, timed, its statements."""
        self.answers.answered(operation, outcome, seconds, statements)


# Every request's operation becomes a label value: only names from a bounded set may (a caller could
# otherwise grow /metrics and the process with every new name it makes up).
OTHER_OPERATION = "other"


def operation_label(name: str, known: frozenset[str]) -> str:
    """The operation's name when it is a trusted document's; "-" before execution; else "other"."""
    return name if name == "-" or name in known else OTHER_OPERATION
