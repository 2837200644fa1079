"""Typed application state: what init_app() puts on the aiohttp application."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from db.features import KnownFeatures
from db.pool import Database
from services.change_feed import ChangeFeed
from services.key_cache import KeyCache
from services.key_usage import KeyUsageRecorder
from services.live_changes import LiveChanges
from settings import Settings
from web.authentication import Authenticator
from web.metrics import Metrics
from web.persisted_queries import PersistedQueries
from web.rate_limit import RateLimiter
from web.sockets import Sockets
from web.streams import Streams
from web.trusted_documents import TrustedDocuments

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
KEY_USAGE = web.AppKey("key_usage", KeyUsageRecorder)
# The feature catalogue as last read from this application's database (db/features.py).
KNOWN_FEATURES = web.AppKey("known_features", KnownFeatures)
# The change feed (None where the app runs on a database that is not its own to listen on, in tests).
CHANGE_FEED: web.AppKey[ChangeFeed | None] = web.AppKey("change_feed")
KEY_CACHE = web.AppKey("key_cache", KeyCache)
LIVE = web.AppKey("live_changes", LiveChanges)
METRICS = web.AppKey("metrics", Metrics)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
TRUSTED_DOCUMENTS = web.AppKey("trusted_documents", TrustedDocuments)
# Documents callers registered by hash (Apollo's automatic persisted queries).
PERSISTED_QUERIES = web.AppKey("persisted_queries", PersistedQueries)
AUTHENTICATOR = web.AppKey("authenticator", Authenticator)
# The long-lived HTTP responses running (CSV exports): admission, and their end at shutdown.
STREAMS = web.AppKey("streams", Streams)
# The open WebSocket connections: per caller (their limit), and all (closed at shutdown).
SOCKETS = web.AppKey("sockets", Sockets)
# The clock every expiry is judged by (tests move it).
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
