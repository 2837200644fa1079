"""The floor: the main nested response built by hand, in one process, with no HTTP and no GraphQL.

asyncpg fetches the same rows our server reads (the organization, a page of carriers, each carrier's
first keys, each carrier's enablements with their features), plain dicts take the response's shape,
and orjson encodes it. The CPU this takes per response is a lower bound for what the server spends
per request: whatever the server spends above it goes to HTTP, GraphQL and our own layers.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from bench.dataset import Dataset
from bench.workloads import KEYS_PER_CARRIER_PAGE
from db.pagination import Cursor
from settings import Settings

ORGANIZATION = "select id, name from organizations where id = $1"

CARRIERS = """
select id, code, name, count(*) over () as total
from carriers where organization_id = $1
order by code, id
limit $2
"""

KEYS = """
select k.carrier_id, k.hint, k.scopes, k.expires_at, k.revoked_at
from unnest($1::uuid[]) as c(id)
cross join lateral (
    select carrier_id, hint, scopes, expires_at, revoked_at
    from api_keys where carrier_id = c.id
    order by created_at, id
    limit $2
) k
"""

ENABLEMENTS = """
select c.id as carrier_id, f.key, ce.enabled as setting,
       coalesce(ce.enabled, oe.enabled, f.default_enabled) as effective,
       case when ce.enabled is not null then 'CARRIER'
            when oe.enabled is not null then 'ORGANIZATION'
            else 'DEFAULT' end as source
from carriers c
cross join features f
left join carrier_enablements ce on ce.carrier_id = c.id and ce.feature_id = f.id
left join organization_enablements oe on oe.organization_id = c.organization_id and oe.feature_id = f.id
where c.id = any($1::uuid[])
order by c.id, f.key
"""

STATEMENTS = 4


@dataclass(frozen=True, slots=True)
class Floor:
    iterations: int
    cpu_ms_per_response: float
    wall_ms_per_response: float
    statements: int
    response_bytes: int
    carriers: int
    # CPU ms per response of each batch, in the order measured (`cheapest` keeps the cheapest batch's
    # figures: other work on the machine can only add to them, as with the servers' rounds).
    batches: tuple[float, ...] = ()


class Batches:
    """The floor measured a batch at a time between the main workload's rounds, in the same minutes as
    the servers: a drift of the machine then moves both alike."""

    def __init__(self, dataset: Dataset, iterations: int, rounds: int, core: int | None) -> None:
        self.dataset = dataset
        self.iterations = iterations
        self.per_batch = max(1, iterations // rounds)
        self.core = core
        self.measured: list[Floor] = []

    async def batch(self) -> None:
        self.measured.append(await measure(self.dataset, self.per_batch, self.core))

    async def floor(self) -> Floor:
        """The cheapest batch; with none measured (a shape without a main workload), one of them all."""
        if not self.measured:
            self.measured.append(await measure(self.dataset, self.iterations, self.core))
        return cheapest(self.measured)


def cheapest(batches: list[Floor]) -> Floor:
    """The batches as one floor: the cheapest batch's figures, every batch's CPU kept beside them."""
    best = min(batches, key=lambda batch: batch.cpu_ms_per_response)
    return replace(
        best,
        iterations=sum(batch.iterations for batch in batches),
        batches=tuple(batch.cpu_ms_per_response for batch in batches),
    )


def _global_id(type_name: str, raw: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{raw}".encode()).decode()


def _state(setting: bool | None) -> str:
    return "INHERIT" if setting is None else ("ENABLED" if setting else "DISABLED")


def _status(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    if revoked_at is not None and revoked_at <= now:
        return "REVOKED"
    if expires_at is not None and expires_at <= now:
        return "EXPIRED"
    return "ACTIVE"


async def response(conn: asyncpg.Connection, organization_id: uuid.UUID, first: int) -> bytes:
    """The body our server sends for the main nested workload, built directly."""
    now = datetime.now(UTC)
    organization = await conn.fetchrow(ORGANIZATION, organization_id)
    assert organization is not None
    carriers = await conn.fetch(CARRIERS, organization_id, first + 1)
    page, more = carriers[:first], len(carriers) > first
    ids = [c["id"] for c in page]
    keys: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    for k in await conn.fetch(KEYS, ids, KEYS_PER_CARRIER_PAGE):
        keys[k["carrier_id"]].append(
            {
                "hint": k["hint"],
                "status": _status(k["revoked_at"], k["expires_at"], now),
                "scopes": [s.replace(":", "_").upper() for s in k["scopes"]],
                "expiresAt": k["expires_at"],
            }
        )
    enablements: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    for e in await conn.fetch(ENABLEMENTS, ids):
        enablements[e["carrier_id"]].append(
            {
                "feature": {"key": e["key"]},
                "state": _state(e["setting"]),
                "effective": e["effective"],
                "source": e["source"],
            }
        )
    last = page[-1] if page else None
    body = {
        "data": {
            "organization": {
                "id": _global_id("Organization", organization["id"]),
                "name": organization["name"],
                "carriers": {
                    "totalCount": carriers[0]["total"] if carriers else 0,
                    "pageInfo": {
                        "hasNextPage": more,
                        "endCursor": Cursor("carriers", last["code"], last["id"]).encode() if last else None,
                    },
                    "nodes": [
                        {
                            "id": _global_id("Carrier", c["id"]),
                            "code": c["code"],
                            "name": c["name"],
                            "apiKeys": {"nodes": keys[c["id"]]},
                            "enablements": enablements[c["id"]],
                        }
                        for c in page
                    ],
                },
            }
        }
    }
    return orjson.dumps(body)


@contextlib.contextmanager
def on_core(core: int | None) -> Iterator[None]:
    """Run this process on `core` for a while (the servers' core), then where it was allowed before."""
    if core is None:
        yield
        return
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


@contextlib.contextmanager
def server_garbage_collector() -> Iterator[None]:
    """The collector as the server runs it (server.py's tune_garbage_collector): what the process holds
    already frozen out of its reach, and the server's young threshold; as it was again afterwards.
    With the interpreter's defaults the floor paid for collecting this process's own heap (the data
    set's builder, the project's modules) hundreds of times a response: 12-14 ms of "floor" where the
    response itself costs 3-4."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(Settings.gc_young_threshold, 50, 100)  # production has no other default
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


async def measure(dataset: Dataset, iterations: int, core: int | None) -> Floor:
    organization_id = dataset.organizations[dataset.shape.main_size]
    first = dataset.shape.main_size
    conn = await asyncpg.connect(dataset.url)
    try:
        body = await response(conn, organization_id, first)  # warm: prepared statements, caches
        with on_core(core), server_garbage_collector():
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            for _ in range(iterations):
                body = await response(conn, organization_id, first)
            cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
    finally:
        await conn.close()
    return Floor(
        iterations=iterations,
        cpu_ms_per_response=cpu * 1000 / iterations,
        wall_ms_per_response=wall * 1000 / iterations,
        statements=STATEMENTS,
        response_bytes=len(body),
        carriers=len(orjson.loads(body)["data"]["organization"]["carriers"]["nodes"]),
    )
