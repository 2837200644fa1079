"""What every resolver receives as `info.context`: built once per request by the GraphQL view."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from access.principal import Principal
from db import activity
from db.activity import Event, Origin
from db.loaders import Loaders
from db.pool import Connection, CountingDatabase, StatementCounter
from services.key_cache import KeyCache
from services.key_usage import KeyUsageRecorder
from services.live_changes import LiveChanges
from settings import Settings


@dataclass(frozen=True, slots=True)
class Refusal:
    """A restricted field refused to this request's caller."""

    coordinate: str  # "Query.organizations"
    action: str  # "query.organizations", as the activity log names it
    reason: str
    # The carrier the refused call named (its `carrierId` argument), if any.
    carrier_id: uuid.UUID | None = None


class NothingRecorded(RuntimeError):
    """A change tried to commit without its activity row (a bug: the transaction is rolled back)."""


class Change:
    """One mutation's transaction: the connection it changes through, and the activity rows that go with
    it. Each row is written by `record` in the same transaction, with the request's origin (who, from
    where, which request); a change that records nothing cannot commit (`Context.changing`). A mutation
    that finds nothing to do says so with `unchanged()`, and must then have written nothing."""

    __slots__ = ("conn", "nothing_to_do", "origin", "recorded")

    def __init__(self, conn: Connection, origin: Origin) -> None:
        self.conn = conn
        self.origin = origin
        self.recorded = 0
        self.nothing_to_do = False

    async def record(self, event: Event) -> None:
        await activity.record(self.conn, origin=self.origin, event=event)
        self.recorded += 1

    def unchanged(self) -> None:
        """There was nothing to change (already so): no row is owed."""
        self.nothing_to_do = True


@dataclass(slots=True)
class Context:
    settings: Settings
    principal: Principal
    db: CountingDatabase
    loaders: Loaders
    statements: StatementCounter
    request_id: str
    client_address: str | None
    now: Callable[[], datetime]
    # Whether the response is written by orjson (an HTTP request's): a datetime may be left in the data
    # for it, since it writes one exactly as the DateTime scalar's `isoformat()` does.
    json_writer: bool = False
    # The operation's name, once parsed (for the request's log line and metrics).
    operation_name: str | None = None
    # How the request came: over HTTP queries and mutations run, over WebSocket subscriptions.
    transport: Literal["http", "websocket"] = "http"
    # Entries for the response's `extensions.warnings`, e.g. the restricted-functions banner.
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # Restricted fields refused during the request, by response path: recorded as one activity row once
    # it is answered. By path, because the fast executor hands an operation it cannot finish to the
    # standard one, which runs its resolvers again: a refusal is counted once however often it is met.
    refusals: dict[tuple[str | int, ...], Refusal] = field(default_factory=dict)
    # Fields a key's scopes did not cover, by response path (the same reason): noted as refused uses of
    # the key once the request is answered.
    scope_refusals: dict[tuple[str | int, ...], str] = field(default_factory=dict)
    # Per field of the document: the item fields a connection selects (schema/selection.py).
    selections: dict[tuple[int, ...], frozenset[str]] = field(default_factory=dict)
    # Where a key's refused uses are noted (a missing scope is one); None outside a served request.
    key_usage: KeyUsageRecorder | None = None
    # Feature objects of each catalogue read (by its id: the catalogue and its views by feature id),
    # shared by every enablement of the batch that read it.
    feature_views: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    # The instance's remembered API keys (services/key_cache.py): a change made here forgets them at once.
    key_cache: KeyCache | None = None
    # The change feed's watchers, for subscriptions (services/live_changes.py); None where there is no feed.
    live: LiveChanges | None = None
    # The change this request has open: a change made inside it (approveChangeRequest makes the requested
    # change through the restricted mutation's own resolver) is part of its transaction, as a savepoint.
    open_change: Change | None = None
    # While a change request is approved: who asked for it, recorded beside the approver in its rows.
    requested_by: dict[str, Any] | None = None

    @property
    def origin(self) -> Origin:
        """Who is acting, in which request, from where: what every activity row of this request says."""
        return Origin(self.principal, self.request_id, self.client_address, self.requested_by)

    @asynccontextmanager
    async def changing(self) -> AsyncIterator[Change]:
        """A mutation's transaction: its connection, and the activity rows it must record in it (one at
        least, or `unchanged()`). Once it commits, what the request loaded before is forgotten: the
        payload (and a later mutation of the same request) reads the data as changed, not the loaders'
        earlier copy.

        Inside another change of the request (`open_change`), it is a savepoint of that change's
        transaction: a failure undoes only what it did, and what it did commits with the outer change."""
        outer = self.open_change
        if outer is not None:
            async with outer.conn.transaction():
                inner = Change(outer.conn, self.origin)
                yield inner
                if not inner.recorded and not inner.nothing_to_do:
                    raise NothingRecorded("a change tried to commit without its activity row")
            outer.recorded += inner.recorded
            return
        async with self.db.acquire() as conn, conn.transaction():
            change = Change(conn, self.origin)
            self.open_change = change
            try:
                yield change
                if not change.recorded and not change.nothing_to_do:
                    raise NothingRecorded("a change tried to commit without its activity row")
            finally:
                self.open_change = None
        self.loaders.release()
        if self.key_cache is not None:
            # Whatever changed (a key, an enablement, a carrier's organization), this instance stops
            # trusting what it remembers now, not when the notification comes back; changes are rare.
            self.key_cache.forget_all()

    def release(self) -> None:
        """Drop what the request loaded, once its response is built (see Loaders.release); a
        subscription's context, what its last event loaded, before the next."""
        self.loaders.release()
        self.feature_views.clear()
        self.selections.clear()
