"""A partner integration's first program: read your carrier, its enablements and API keys, page by page.

    CARRIER_ADMIN_URL=https://admin.example.com/graphql CARRIER_ADMIN_API_KEY=cak_live_... \
        python examples/partner_sync.py

It uses the `gql` client, sends the key in the Authorization header (never in the URL), follows
cursors until the last page, retries after `Retry-After` when rate-limited, and prints typed errors
(`extensions.code`) so an operator knows what to fix.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportQueryError, TransportServerError

CARRIERS = gql(
    """
    query Carriers($after: String) {
      viewer { kind name scopes }
      carriers(first: 50, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id code name organization { name } }
      }
    }
    """
)

CARRIER_DETAIL = gql(
    """
    query CarrierDetail($code: String!, $after: String) {
      carrier(code: $code) {
        enablements { feature { key } effective source }
        apiKeys(first: 50, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { hint description status expiresAt lastUsedAt }
        }
      }
    }
    """
)

MAX_RETRIES = 5


async def run(session: Any, document: Any, variables: dict[str, Any]) -> dict[str, Any]:
    """One request, retried while the server says it is rate-limited."""
    for _ in range(MAX_RETRIES):
        try:
            result: dict[str, Any] = await session.execute(document, variable_values=variables)
            return result
        except TransportServerError as error:
            if error.code != 429:
                raise
            # gql does not expose the Retry-After header: back off, up to the limit's window (60 s).
            await asyncio.sleep(min(60, 2**_))
    raise RuntimeError("still rate-limited after several retries")


async def main() -> int:
    url = os.environ.get("CARRIER_ADMIN_URL", "http://127.0.0.1:8080/graphql")
    key = os.environ["CARRIER_ADMIN_API_KEY"]
    headers = {"Authorization": f"Bearer {key}"}
    transport = AIOHTTPTransport(url=url, headers=headers, ssl=url.startswith("https"))
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        try:
            after = None
            while True:
                page = await run(session, CARRIERS, {"after": after})
                if after is None:
                    viewer = page["viewer"]
                    print(f"signed in as {viewer['kind']} {viewer['name']!r}, scopes {viewer['scopes']}")
                carriers = page["carriers"]
                for carrier in carriers["nodes"]:
                    await print_carrier(session, carrier)
                if not carriers["pageInfo"]["hasNextPage"]:
                    break
                after = carriers["pageInfo"]["endCursor"]
        except TransportQueryError as error:
            # Typed errors: FORBIDDEN (a scope the key lacks), BAD_USER_INPUT, UNAUTHENTICATED, ...
            for item in error.errors or []:
                code = item.get("extensions", {}).get("code")
                print(f"error {code}: {item.get('message')}", file=sys.stderr)
            return 1
        except TransportServerError as error:
            print(
                f"HTTP {error.code}: the key is invalid, revoked, expired or not allowed here.",
                file=sys.stderr,
            )
            return 1
    return 0


async def print_carrier(session: Any, carrier: dict[str, Any]) -> None:
    organization = (carrier["organization"] or {}).get("name", "no organization")
    print(f"{carrier['code']}: {carrier['name']} ({organization})")
    after = None
    while True:
        detail = (await run(session, CARRIER_DETAIL, {"code": carrier["code"], "after": after}))["carrier"]
        if after is None:
            enabled = [e["feature"]["key"] for e in detail["enablements"] if e["effective"]]
            print(f"  features on: {', '.join(enabled) or 'none'}")
        for key in detail["apiKeys"]["nodes"]:
            print(f"  key {key['hint']} {key['status']:<8} {key['description']}")
        if not detail["apiKeys"]["pageInfo"]["hasNextPage"]:
            return
        after = detail["apiKeys"]["pageInfo"]["endCursor"]


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
