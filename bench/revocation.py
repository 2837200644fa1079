"""How fast a revocation reaches another instance: two production servers on one database.

    python -m bench.revocation [--keys 100] [--database-url URL]

For each of N keys: both instances have verified (and so remember) the key; the key is revoked through
instance A; then A and B are asked with it until each refuses it. Reported: how many of A's first
requests after the revocation were refused (all of them should be: A forgets at once), and the time
from A's answer to the revocation until B's first refusal, as p50, p99 and max over the N keys (B
hears it through the change feed). B is polled as fast as one connection allows (a request takes
about a millisecond), so a figure includes up to one request's time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg

from bench import ours, processes
from bench.credentials import make_identity_provider
from bench.dataset import drop_database, recreate_database
from db.migrate import migrate
from resolvers.global_ids import to_global_id

CREATE = """mutation ($c: ID!, $d: String!) { createApiKey(input: {carrierId: $c, description: $d,
  scopes: [CARRIER_READ]}) { ... on CreateApiKeyPayload { secret apiKey { id } } } }"""
REVOKE = 'mutation ($k: ID!) { revokeApiKey(input: {id: $k, reason: "bench"}) { __typename } }'
VIEWER = "{ viewer { kind } }"
GIVE_UP_SECONDS = 10.0


async def post(session: aiohttp.ClientSession, port: int, query: str, token: str, **variables: object) -> int:
    async with session.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        await response.read()
        return response.status


async def issue(
    session: aiohttp.ClientSession, port: int, token: str, carrier: str, n: int
) -> tuple[str, str]:
    async with session.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": CREATE, "variables": {"c": carrier, "d": f"Revocation bench {n}"}},
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        issued = (await response.json())["data"]["createApiKey"]
    return issued["secret"], issued["apiKey"]["id"]


async def until_refused(session: aiohttp.ClientSession, port: int, secret: str) -> float:
    """Seconds from now (A's answer to the revocation) until `port` refuses the key (polling)."""
    started = time.perf_counter()
    while time.perf_counter() - started < GIVE_UP_SECONDS:
        if await post(session, port, VIEWER, secret) != 200:
            return time.perf_counter() - started
    raise RuntimeError(f"still accepted after {GIVE_UP_SECONDS} s")


async def measure(server_url: str, keys: int) -> None:
    name = f"carrier_admin_revocation_{uuid.uuid4().hex[:8]}"
    url = await recreate_database(server_url, name)
    started: list[processes.Server] = []
    try:
        conn = await asyncpg.connect(url)
        await migrate(conn)
        carrier_id = await conn.fetchval(
            "insert into carriers (code, name) values ('REV', 'Rev') returning id"
        )
        await conn.close()
        carrier = to_global_id("Carrier", carrier_id)
        with tempfile.TemporaryDirectory() as scratch:
            identity = make_identity_provider(Path(scratch))
            for _ in range(2):
                started.append(ours.start(url, identity, core=None, log_dir=Path(scratch)))
            a, b = (server.port for server in started)
            staff = identity.staff_token()
            async with aiohttp.ClientSession() as session:
                await asyncio.sleep(1.0)  # both feeds listening (they start with the server)
                at_once, elsewhere = 0, []
                for n in range(keys):
                    secret, key_id = await issue(session, a, staff, carrier, n)
                    for port in (a, b, a, b):
                        assert await post(session, port, VIEWER, secret) == 200
                    assert await post(session, a, REVOKE, staff, k=key_id) == 200
                    elsewhere.append(await until_refused(session, b, secret))
                    at_once += await post(session, a, VIEWER, secret) == 401
        report(keys, at_once, elsewhere)
    finally:
        for server in started:
            processes.stop(server)
        await drop_database(server_url, name)


def report(keys: int, at_once: int, elsewhere: list[float]) -> None:
    milliseconds = sorted(seconds * 1000 for seconds in elsewhere)
    p99 = milliseconds[min(len(milliseconds) - 1, round(0.99 * (len(milliseconds) - 1)))]
    print(f"revocations: {keys}, two instances (A revokes, B is asked), production settings")
    print(f"A refused the key on its first request after the revocation: {at_once} of {keys}")
    print(
        f"B refused it after: p50 {statistics.median(milliseconds):.1f} ms, p99 {p99:.1f} ms, "
        f"max {milliseconds[-1]:.1f} ms (from A's answer to B's first refusal)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.revocation", description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres",
    )
    args = parser.parse_args()
    asyncio.run(measure(args.database_url, args.keys))


if __name__ == "__main__":
    main()
