"""Verified API keys remembered, so that a request with a key costs no lookup in PostgreSQL.

A key is remembered by its secret's hash, with its row and whether its carrier's API access is on, and
judged on every request as if just read (status from the row against the clock, the allowlist against
the address). It is forgotten:
- on a change feed notification for that key (created, changed, revoked, expired), from any instance;
- on any change to enablements, features or carriers (API access may have changed): all keys;
- when the feed is interrupted, and for as long as it is: nothing is remembered without it;
- by the instance that changes a key, as soon as its change commits (before the notification arrives);
- after MAX_AGE seconds in any case, and the oldest first when the cache is full.

Unknown secrets are remembered too, briefly (NEGATIVE_AGE) and in a bounded number, so that a client
retrying a bad key costs one lookup a few seconds, and guessing cannot fill memory.

A lookup that began before a change was heard is not remembered: `generation` counts the changes
heard, and an answer read under an older generation may already be stale.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from db.api_keys import VerifiedKey
from services.change_feed import Change, ChangeFeed

MAX_KEYS = 10_000
MAX_AGE = 300.0
MAX_UNKNOWN = 10_000
NEGATIVE_AGE = 5.0
# Changes after which any key's API access may be different.
ACCESS_CHANGES = frozenset({"carrier_enablement", "organization_enablement", "feature", "carrier"})


@dataclass(frozen=True, slots=True)
class Remembered:
    found: VerifiedKey | None  # None: no key has this secret
    at: float


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    invalidations: int = 0


class KeyCache:
    def __init__(self, feed: ChangeFeed | None) -> None:
        self.feed = feed
        self.keys: OrderedDict[bytes, Remembered] = OrderedDict()
        self.unknown: OrderedDict[bytes, Remembered] = OrderedDict()
        self.hashes_by_key: dict[uuid.UUID, bytes] = {}
        self.generation = 0
        self.stats = CacheStats()
        self.monotonic = time.monotonic
        if feed is not None:
            feed.on_change(self.heard)
            feed.on_interruption(self.forget_all)

    @property
    def active(self) -> bool:
        return self.feed is not None and self.feed.listening

    def get(self, secret_hash: bytes) -> Remembered | None:
        """What is remembered for this secret, if the cache is active and it is fresh."""
        if not self.active:
            return None
        now = self.monotonic()
        remembered = self.keys.get(secret_hash)
        if remembered is not None and now - remembered.at < MAX_AGE:
            self.stats.hits += 1
            return remembered
        unknown = self.unknown.get(secret_hash)
        if unknown is not None and now - unknown.at < NEGATIVE_AGE:
            self.stats.hits += 1
            return unknown
        self.stats.misses += 1
        return None

    def remember(self, secret_hash: bytes, found: VerifiedKey | None, generation: int) -> None:
        """Keep a lookup's answer, unless a change was heard since it began (or the feed is off)."""
        if not self.active or generation != self.generation:
            return
        remembered = Remembered(found, self.monotonic())
        if found is None:
            self.unknown[secret_hash] = remembered
            self.unknown.move_to_end(secret_hash)
            while len(self.unknown) > MAX_UNKNOWN:
                self.unknown.popitem(last=False)
            return
        self.keys[secret_hash] = remembered
        self.keys.move_to_end(secret_hash)
        self.hashes_by_key[found.row.id] = secret_hash
        while len(self.keys) > MAX_KEYS:
            _, oldest = self.keys.popitem(last=False)
            if oldest.found is not None:
                self.hashes_by_key.pop(oldest.found.row.id, None)

    def heard(self, change: Change) -> None:
        if change.kind == "api_key" and change.id is not None:
            self.forget_key(change.id)
            if change.action == "created":
                self.unknown.clear()  # a secret tried before its key existed works now
        elif change.kind in ACCESS_CHANGES:
            self.forget_all()

    def forget_key(self, key_id: uuid.UUID) -> None:
        self.generation += 1
        self.stats.invalidations += 1
        secret_hash = self.hashes_by_key.pop(key_id, None)
        if secret_hash is not None:
            self.keys.pop(secret_hash, None)

    def forget_all(self) -> None:
        self.generation += 1
        self.stats.invalidations += 1
        self.keys.clear()
        self.unknown.clear()
        self.hashes_by_key.clear()
