"""gql (the Python client) as a person in production settings: a trusted document named by its id in
`extensions.persistedQuery`, with gql's own printing of the text beside it, runs over HTTP and
subscribes over WebSocket; a document that differs (another field, another argument) is refused both ways.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.aiohttp_websockets import AIOHTTPWebsocketsTransport
from gql.transport.exceptions import TransportQueryError
from graphql import OperationDefinitionNode, parse, print_ast

from resolvers.global_ids import to_global_id
from tests import factories
from tests.web.test_subscriptions import WAIT, instance
from web.trusted_documents import digest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST: dict[str, str] = json.loads((ROOT / "frontend" / "trusted-documents.json").read_text())
BY_NAME = {
    definition.name.value: text
    for text in MANIFEST.values()
    for definition in parse(text).definitions
    if isinstance(definition, OperationDefinitionNode) and definition.name
}
CARRIER_ID = BY_NAME["CarrierId"]
ACTIVITY = BY_NAME["ActivityAppended"]
CREATE_KEY = """mutation ($c: ID!) {
  createApiKey(input: {carrierId: $c, description: "gql", scopes: [KEYS_READ]}) { __typename } }"""


def trusted(text: str, variables: dict[str, Any], *, sent: str | None = None) -> GraphQLRequest:
    """What a gql user writes: the manifest's text and its id; gql sends its own printing of `sent`."""
    return GraphQLRequest(
        sent or text,
        variable_values=variables,
        extensions={"persistedQuery": {"version": 1, "sha256Hash": digest(text)}},
    )


@pytest.fixture
async def production(own_database: str, tmp_path: Path) -> Any:
    identity = factories.ProductionIdentity(tmp_path)
    conn = await asyncpg.connect(own_database)
    code = factories.unique_code("G")
    carrier = await factories.carrier(conn, code)
    await conn.close()
    # production's settings, as Settings.from_env() makes them: trusted documents only for people
    async with instance(own_database, **identity.settings, trusted_documents_only_for_people=True) as client:
        yield client, identity, code, to_global_id("Carrier", carrier)


async def test_gql_over_http_runs_a_trusted_document_it_printed_itself(production: Any) -> None:
    client, identity, code, carrier_id = production
    headers = factories.bearer(identity.token(carriers=[code]))
    transport = AIOHTTPTransport(url=str(client.make_url("/graphql")), headers=headers)
    async with Client(transport=transport) as session:
        assert print_ast(parse(CARRIER_ID)) != CARRIER_ID  # gql does not send the manifest's bytes
        result = await session.execute(trusted(CARRIER_ID, {"code": code}))
        assert result["carrier"]["id"] == carrier_id
        for differing in (
            CARRIER_ID.replace("{ __typename id }", "{ __typename id name }"),  # another field
            CARRIER_ID.replace("carrier(code: $code)", 'carrier(code: "OTHER")'),  # another argument
        ):
            with pytest.raises(TransportQueryError) as refused:
                await session.execute(trusted(CARRIER_ID, {"code": code}, sent=differing))
            assert refused.value.errors is not None
            assert refused.value.errors[0]["extensions"]["code"] == "BAD_REQUEST"


async def test_gql_over_websocket_subscribes_with_a_trusted_document_as_a_person(production: Any) -> None:
    client, identity, code, carrier_id = production
    transport = AIOHTTPWebsocketsTransport(
        url=str(client.make_url("/graphql")).replace("http", "ws", 1),
        subprotocols=[AIOHTTPWebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"Authorization": f"Bearer {identity.token(carriers=[code])}"},
    )
    async with Client(transport=transport) as session:
        subscribed = asyncio.Event()

        async def first_event() -> Any:
            events = session.subscribe(trusted(ACTIVITY, {"carrierId": carrier_id}))
            subscribed.set()
            async for event in events:
                return event
            return None

        task = asyncio.create_task(first_event())
        await subscribed.wait()
        # a change made over HTTP by staff, until the subscription hears one (it may start after the first)
        staff = factories.bearer(identity.token(staff=True, subject="staff-9"))
        async with asyncio.timeout(WAIT):
            while not task.done():
                response = await client.post(
                    "/graphql", json={"query": CREATE_KEY, "variables": {"c": carrier_id}}, headers=staff
                )
                assert response.status == 200, await response.text()
                await asyncio.wait({task}, timeout=0.5)
        event = task.result()
        assert event["activityAppended"]["action"] == "apiKey.create"

        for differing in (
            ACTIVITY.replace("{ __typename action id }", "{ __typename action id carrier { code } }"),
            ACTIVITY.replace(
                "activityAppended(carrierId: $carrierId, organizationId: $organizationId)",
                "activityAppended(carrierId: $carrierId)",
            ),
        ):
            assert differing != ACTIVITY
            with pytest.raises(TransportQueryError) as refused:
                async for _ in session.subscribe(
                    trusted(ACTIVITY, {"carrierId": carrier_id}, sent=differing)
                ):
                    pass
            assert refused.value.errors is not None
            assert refused.value.errors[0]["extensions"]["code"] == "BAD_REQUEST"
