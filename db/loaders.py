"""Per-request dataloaders: one SQL statement per batch, the caller's reach applied inside it.

Built by the GraphQL view for each request (never shared: a loader's cache belongs to one caller).
Each returns exactly one result per key, in key order. Paginated children are keyed by
(parent id, page request, filter): keys that share the page and filter go into one statement.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Callable, Coroutine, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from aiodataloader import DataLoader, Loader, dispatch_queue, dispatch_queue_batch

from access.principal import Reach
from db import (
    activity,
    api_keys,
    carriers,
    enablements,
    features,
    key_policies,
    key_refusals,
    key_usage,
    organizations,
)
from db.activity import ActivityRow
from db.api_keys import ApiKeyRow, KeyListing, PolicyCheck
from db.carriers import CarrierRow
from db.enablements import OwnerEnablements
from db.features import FeatureRow, KnownFeatures
from db.key_policies import CarrierLevels, KeyPolicyRow
from db.key_refusals import RefusalRow
from db.key_usage import Interval, UsageRow
from db.organizations import OrganizationRow
from db.pagination import Page, PageRequest
from db.pool import CountingDatabase

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class ShortKey:
    """Whose keys short of the key policy to count: a carrier's, or (`organizations`) an organization's."""

    owner_id: uuid.UUID
    organizations: bool
    check: PolicyCheck


# The two keys a page of carriers loads by, once per carrier each: tuples, which Python makes and hashes
# in C (a frozen dataclass sets each field through object.__setattr__ and hashes in Python: a nested query
# of 50 carriers made 100 such keys and hashed them some 500 times).
class ChildPageKey(NamedTuple):
    parent_id: uuid.UUID
    page: PageRequest
    # A filter that applies to every parent alike (e.g. an API key status), or None.
    filter: Hashable = None
    # The columns the query needs (None: all), for lists that can read fewer (API keys).
    columns: frozenset[str] | None = None


class EnablementsKey(NamedTuple):
    owner_id: uuid.UUID
    # Whether the query reads who changed each setting and when (db.enablements: with_updates).
    with_updates: bool = True


# A key's usage over a period: (key id, since, until, interval).
UsageKey = tuple[uuid.UUID, datetime, datetime, Interval]


class RequestLoader(DataLoader[K, V]):
    """A DataLoader that never hands out a cancelled load, and waits for a level's keys at once.

    When a field fails, graphql-core cancels its sibling fields, and with them the loads they were
    awaiting; aiodataloader keeps those cancelled futures in its cache. A later read of the same key in
    the request (through an alias, or another path to the same carrier) would get one and raise
    CancelledError, which is not a field error: the whole request would fail. It loads again instead.

    Its batches are dispatched on the same turns of the event loop as aiodataloader's (so the same loads
    share a statement), without the two tasks and event-loop lookups aiodataloader makes per batch; and
    `load_all` awaits a level's keys as one wait rather than a gather of a future per key (a nested query
    of 50 carriers loads 100 keys in two such calls).
    """

    def load(self, key: K) -> asyncio.Future[V]:
        cached = self._cache.get(self.get_cache_key(key))
        if cached is not None and cached.cancelled():
            self.clear(key)
        return super().load(key)

    async def load_alone(self, key: K) -> V:
        """The key's value, its statement sent at once rather than two turns from now in a task of its
        own: for a load nothing else can join (the operation's only root field, whose answer everything
        else waits for). Kept as `load` keeps it, so that a later load of the key in the request reads
        it; an error as `load` answers it (a key's error kept, a failed batch's not)."""
        cache_key = self.get_cache_key(key)
        cached = self._cache.get(cache_key)
        if cached is not None:
            if not cached.cancelled():
                return await cached
            self.clear(key)
        (value,) = await self.batch_load_fn([key])
        self.prime(key, value)  # a key's error too, as a load's batch keeps it
        if isinstance(value, Exception):
            _seen(self._cache[cache_key])  # raised here: not "never retrieved"
            raise value
        return value

    async def load_all(self, keys: Iterable[K]) -> list[V]:
        """Each key's value, in key order, as `load_many` answers them; a failed key raises its error.

        The caller resumes on the turn of the event loop where `load_many`'s gather would resume it (two
        turns after the last load settles, or the first fails): what it loads next joins the batches it
        joined before, so a query runs the same statements."""
        futures = [self.load(key) for key in keys]
        failed: asyncio.Future[V] | None = None
        waited = False
        for future in futures:
            if not future.done():
                waited = True
                try:
                    # A batch settles all its futures at once: after the first wait, the rest are done.
                    await future
                except asyncio.CancelledError:
                    raise
                except Exception:
                    failed = future
                    break
        if futures:
            await asyncio.sleep(0)
            if not waited:
                await asyncio.sleep(0)
        values: list[V] = []
        for index, future in enumerate(futures):
            try:
                values.append(future.result() if future.done() or failed is None else failed.result())
            except BaseException:
                _retrieve_errors(futures[index + 1 :])
                raise
        return values

    def do_resolve_reject(self, key: K, future: asyncio.Future[V]) -> None:
        """Queue the load; the first of a batch schedules its dispatch two turns from now, where
        aiodataloader's `enqueue_post_future_job` and `dispatch_queue` take the queue."""
        self._queue.append(Loader(key=key, future=future))
        if len(self._queue) == 1:
            self.loop.call_soon(self._next_turn)

    def _next_turn(self) -> None:
        self.loop.call_soon(self._dispatch)

    def _dispatch(self) -> None:
        if self.max_batch_size:
            dispatch_queue(self)  # aiodataloader's own, which splits the queue
            return
        queue, self._queue = self._queue, []
        self.loop.create_task(dispatch_queue_batch(self, queue))


def _retrieve_errors(futures: Sequence[asyncio.Future[Any]]) -> None:
    """Mark the errors of loads no longer awaited as seen (as a gather does), so that asyncio does not
    log them as never retrieved."""
    for future in futures:
        if future.done():
            _seen(future)
        else:
            future.add_done_callback(_seen)


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _loader(
    batch: Callable[[list[K]], Coroutine[Any, Any, list[V]]], loop: asyncio.AbstractEventLoop
) -> RequestLoader[K, V]:
    return RequestLoader(batch_load_fn=batch, loop=loop)


Group = tuple[PageRequest, Hashable, frozenset[str] | None]


def _group(keys: list[ChildPageKey]) -> dict[Group, list[uuid.UUID]]:
    groups: dict[Group, list[uuid.UUID]] = {}
    for key in keys:
        groups.setdefault((key.page, key.filter, key.columns), []).append(key.parent_id)
    return groups


class Loaders:
    """A request's loaders, each made on first use (a small query needs one of eleven)."""

    def __init__(
        self,
        db: CountingDatabase,
        reach: Reach,
        now: Callable[[], datetime],
        known_features: KnownFeatures | None = None,
    ) -> None:
        # The batch functions live on an object of their own, so that loaders and batches form no
        # reference cycle (see release()).
        self.batches = Batches(db, reach, now, known_features)

    @property
    def known_features(self) -> KnownFeatures | None:
        """The application's catalogue the enablements are read with (also by live re-reads)."""
        return self.batches.known_features

    @functools.cached_property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The request's event loop, looked up once (each lookup asks the kernel for the process id)."""
        return asyncio.get_running_loop()

    @functools.cached_property
    def carrier_by_id(self) -> RequestLoader[uuid.UUID, CarrierRow | None]:
        return _loader(self.batches.carriers_by_id, self.loop)

    @functools.cached_property
    def carrier_by_code(self) -> RequestLoader[str, CarrierRow | None]:
        return _loader(self.batches.carriers_by_code, self.loop)

    @functools.cached_property
    def organization_by_id(self) -> RequestLoader[uuid.UUID, OrganizationRow | None]:
        return _loader(self.batches.organizations_by_id, self.loop)

    @functools.cached_property
    def feature_by_id(self) -> RequestLoader[uuid.UUID, FeatureRow | None]:
        return _loader(self.batches.features_by_id, self.loop)

    @functools.cached_property
    def api_key_by_id(self) -> RequestLoader[uuid.UUID, ApiKeyRow | None]:
        return _loader(self.batches.api_keys_by_id, self.loop)

    @functools.cached_property
    def activity_event_by_id(self) -> RequestLoader[uuid.UUID, ActivityRow | None]:
        return _loader(self.batches.activity_events_by_id, self.loop)

    @functools.cached_property
    def carriers_by_organization_id(self) -> RequestLoader[ChildPageKey, Page[CarrierRow]]:
        return _loader(self.batches.carriers_by_organization_id, self.loop)

    @functools.cached_property
    def enablements_by_carrier_id(self) -> RequestLoader[EnablementsKey, OwnerEnablements]:
        return _loader(self.batches.enablements_by_carrier_id, self.loop)

    @functools.cached_property
    def enablements_by_organization_id(self) -> RequestLoader[EnablementsKey, OwnerEnablements]:
        return _loader(self.batches.enablements_by_organization_id, self.loop)

    @functools.cached_property
    def api_keys_by_carrier_id(self) -> RequestLoader[ChildPageKey, Page[ApiKeyRow]]:
        return _loader(self.batches.api_keys_by_carrier_id, self.loop)

    @functools.cached_property
    def activity_by_carrier_id(self) -> RequestLoader[ChildPageKey, Page[ActivityRow]]:
        return _loader(self.batches.activity_by_carrier_id, self.loop)

    @functools.cached_property
    def feature_on_by_carrier_id(self) -> RequestLoader[tuple[uuid.UUID, str], bool | None]:
        """(carrier, feature key) → whether the feature is on; None when the catalogue lacks it."""
        return _loader(self.batches.features_on_by_carrier_id, self.loop)

    @functools.cached_property
    def refusals_by_key_id(self) -> RequestLoader[tuple[uuid.UUID, int], list[RefusalRow]]:
        """(key, how many) → the key's latest refused uses, newest first."""
        return _loader(self.batches.refusals_by_key_id, self.loop)

    @functools.cached_property
    def usage_by_key_id(self) -> RequestLoader[UsageKey, list[UsageRow]]:
        """(key, since, until, interval) → the key's uses by bucket and outcome, sparse."""
        return _loader(self.batches.usage_by_key_id, self.loop)

    @functools.cached_property
    def keys_short_of_policy(self) -> RequestLoader[ShortKey, int]:
        """(carrier or organization, its id, the platform's level) → its active keys in reach that fall
        short of their carrier's effective key policy now."""
        return _loader(self.batches.keys_short_of_policy, self.loop)

    @functools.cached_property
    def active_key_count_by_carrier_id(self) -> RequestLoader[uuid.UUID, int]:
        return _loader(self.batches.active_key_counts_by_carrier_id, self.loop)

    @functools.cached_property
    def key_policy_levels_by_carrier_id(self) -> RequestLoader[uuid.UUID, CarrierLevels | None]:
        """A carrier's key policy levels (its organization's, its own); the caller has judged its reach."""
        return _loader(self.batches.key_policy_levels_by_carrier_id, self.loop)

    @functools.cached_property
    def key_policy_by_organization_id(self) -> RequestLoader[uuid.UUID, KeyPolicyRow | None]:
        """An organization's own key policy, if it set one; the caller has judged its reach."""
        return _loader(self.batches.key_policies_by_organization_id, self.loop)

    def release(self) -> None:
        """Forget every loaded row. The executor that ran the request holds itself in a reference cycle
        (graphql-core's resolve-info helpers are its bound methods) and, through the request's context,
        these loaders: without this, a response's rows wait for the cyclic garbage collector (~7,000
        objects per nested query; 80 ms full collections under load) instead of going with it."""
        for loader in vars(self).values():
            if isinstance(loader, DataLoader):
                loader.clear_all()


class Batches:
    """One SQL statement (or two) per batch of keys, within the caller's reach."""

    def __init__(
        self,
        db: CountingDatabase,
        reach: Reach,
        now: Callable[[], datetime],
        known_features: KnownFeatures | None,
    ) -> None:
        self.db = db
        self.reach = reach
        self.now = now
        # The application's catalogue as last read (db/features.py): enablements read it again only
        # where a feature changed.
        self.known_features = known_features

    async def carriers_by_id(self, ids: list[uuid.UUID]) -> list[CarrierRow | None]:
        async with self.db.acquire() as conn:
            by_id = await carriers.by_ids(conn, reach=self.reach, ids=ids)
        return [by_id.get(i) for i in ids]

    async def carriers_by_code(self, codes: list[str]) -> list[CarrierRow | None]:
        async with self.db.acquire() as conn:
            by_code = await carriers.by_codes(conn, reach=self.reach, codes=codes)
        return [by_code.get(c.upper()) for c in codes]

    async def organizations_by_id(self, ids: list[uuid.UUID]) -> list[OrganizationRow | None]:
        async with self.db.acquire() as conn:
            by_id = await organizations.by_ids(conn, reach=self.reach, ids=ids)
        return [by_id.get(i) for i in ids]

    async def features_by_id(self, ids: list[uuid.UUID]) -> list[FeatureRow | None]:
        async with self.db.acquire() as conn:
            by_id = await features.by_ids(conn, ids=ids)
        return [by_id.get(i) for i in ids]

    async def api_keys_by_id(self, ids: list[uuid.UUID]) -> list[ApiKeyRow | None]:
        async with self.db.acquire() as conn:
            by_id = await api_keys.by_ids(conn, reach=self.reach, ids=ids)
        return [by_id.get(i) for i in ids]

    async def activity_events_by_id(self, ids: list[uuid.UUID]) -> list[ActivityRow | None]:
        async with self.db.acquire() as conn:
            by_id = await activity.by_ids(conn, reach=self.reach, ids=ids)
        return [by_id.get(i) for i in ids]

    async def features_on_by_carrier_id(self, keys: list[tuple[uuid.UUID, str]]) -> list[bool | None]:
        found: dict[tuple[uuid.UUID, str], bool] = {}
        async with self.db.acquire() as conn:
            for feature_key in {key for _, key in keys}:
                carrier_ids = [carrier for carrier, key in keys if key == feature_key]
                on = await enablements.feature_effective_for(
                    conn, carrier_ids=carrier_ids, feature_key=feature_key
                )
                found.update({(carrier, feature_key): value for carrier, value in on.items()})
        return [found.get(key) for key in keys]

    async def keys_short_of_policy(self, keys: list[ShortKey]) -> list[int]:
        groups: dict[tuple[bool, PolicyCheck], list[uuid.UUID]] = {}
        for key in keys:
            groups.setdefault((key.organizations, key.check), []).append(key.owner_id)
        found: dict[ShortKey, int] = {}
        async with self.db.acquire() as conn:
            for (organizations, check), ids in groups.items():
                counts = await api_keys.short_of_policy_counts(
                    conn, self.reach, ids, organizations, check, self.now()
                )
                found.update({ShortKey(i, organizations, check): counts.get(i, 0) for i in ids})
        return [found[key] for key in keys]

    async def refusals_by_key_id(self, keys: list[tuple[uuid.UUID, int]]) -> list[list[RefusalRow]]:
        found: dict[tuple[uuid.UUID, int], list[RefusalRow]] = {}
        async with self.db.acquire() as conn:
            for limit in {limit for _, limit in keys}:
                key_ids = [key_id for key_id, wanted in keys if wanted == limit]
                by_key = await key_refusals.latest_by_key_ids(
                    conn, reach=self.reach, key_ids=key_ids, limit=limit
                )
                found.update({(key_id, limit): rows for key_id, rows in by_key.items()})
        return [found.get(key, []) for key in keys]

    async def usage_by_key_id(self, keys: list[UsageKey]) -> list[list[UsageRow]]:
        # One statement per period asked for: a page's keys usually share one (the list's 30 days).
        found: dict[UsageKey, list[UsageRow]] = {}
        async with self.db.acquire() as conn:
            for period in {key[1:] for key in keys}:
                since, until, interval = period
                key_ids = [key[0] for key in keys if key[1:] == period]
                by_key = await key_usage.by_key_ids(
                    conn, reach=self.reach, key_ids=key_ids, since=since, until=until, interval=interval
                )
                found.update({(key_id, *period): rows for key_id, rows in by_key.items()})
        return [found.get(key, []) for key in keys]

    async def active_key_counts_by_carrier_id(self, carrier_ids: list[uuid.UUID]) -> list[int]:
        async with self.db.acquire() as conn:
            counts = await api_keys.count_active_by_carriers(conn, carrier_ids=carrier_ids, now=self.now())
        return [counts.get(carrier_id, 0) for carrier_id in carrier_ids]

    async def key_policy_levels_by_carrier_id(
        self, carrier_ids: list[uuid.UUID]
    ) -> list[CarrierLevels | None]:
        async with self.db.acquire() as conn:
            found = await key_policies.levels_of_carriers(conn, carrier_ids=carrier_ids)
        return [found.get(carrier_id) for carrier_id in carrier_ids]

    async def key_policies_by_organization_id(self, ids: list[uuid.UUID]) -> list[KeyPolicyRow | None]:
        async with self.db.acquire() as conn:
            found = await key_policies.of_organizations(conn, organization_ids=ids)
        return [found.get(i) for i in ids]

    async def carriers_by_organization_id(self, keys: list[ChildPageKey]) -> list[Page[CarrierRow]]:
        pages: dict[ChildPageKey, Page[CarrierRow]] = {}
        async with self.db.acquire() as conn:
            for (page, _, _), parent_ids in _group(keys).items():
                by_parent = await carriers.pages_by_organization_ids(
                    conn, reach=self.reach, organization_ids=parent_ids, page=page
                )
                for parent_id, result in by_parent.items():
                    pages[ChildPageKey(parent_id, page)] = result
        return [pages[k] for k in keys]

    async def enablements_by_carrier_id(self, keys: list[EnablementsKey]) -> list[OwnerEnablements]:
        return await self._enablements(keys, enablements.for_carriers)

    async def enablements_by_organization_id(self, keys: list[EnablementsKey]) -> list[OwnerEnablements]:
        return await self._enablements(keys, enablements.for_organizations)

    async def _enablements(
        self, keys: list[EnablementsKey], read: enablements.ReadEnablements
    ) -> list[OwnerEnablements]:
        found: dict[EnablementsKey, OwnerEnablements] = {}
        async with self.db.acquire() as conn:
            for with_updates in {key.with_updates for key in keys}:
                ids = [key.owner_id for key in keys if key.with_updates == with_updates]
                by_id = await read(
                    conn,
                    reach=self.reach,
                    owner_ids=ids,
                    with_updates=with_updates,
                    known=self.known_features,
                )
                found.update({EnablementsKey(i, with_updates): r for i, r in by_id.items()})
        return [found.get(key) or OwnerEnablements([], {}) for key in keys]

    async def api_keys_by_carrier_id(self, keys: list[ChildPageKey]) -> list[Page[ApiKeyRow]]:
        pages: dict[ChildPageKey, Page[ApiKeyRow]] = {}
        now = self.now()
        async with self.db.acquire() as conn:
            for (page, listing, columns), parent_ids in _group(keys).items():
                assert isinstance(listing, KeyListing)
                by_parent = await api_keys.pages_by_carrier_ids(
                    conn,
                    reach=self.reach,
                    carrier_ids=parent_ids,
                    where=listing.where,
                    order=listing.order,
                    now=now,
                    page=page,
                    columns=columns,
                )
                for parent_id, result in by_parent.items():
                    pages[ChildPageKey(parent_id, page, listing, columns)] = result
        return [pages[k] for k in keys]

    async def activity_by_carrier_id(self, keys: list[ChildPageKey]) -> list[Page[ActivityRow]]:
        pages: dict[ChildPageKey, Page[ActivityRow]] = {}
        async with self.db.acquire() as conn:
            for (page, _, _), parent_ids in _group(keys).items():
                by_parent = await activity.pages_by_carrier_ids(
                    conn, reach=self.reach, carrier_ids=parent_ids, page=page
                )
                for parent_id, result in by_parent.items():
                    pages[ChildPageKey(parent_id, page)] = result
        return [pages[k] for k in keys]
