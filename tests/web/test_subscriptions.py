"""Subscriptions over WebSocket, with a real client (gql's aiohttp WebSocket transport, graphql-transport-ws)
against two instances of the app on a database of their own, each hearing the change feed.

An event arrives after a mutation made on the other instance; a subscription with a key ends, with an
error saying so, when the key is revoked; a carrier outside the subscriber's reach is not found and
nothing of it is ever sent; connection_init authenticates; the limits hold.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from gql import Client, GraphQLRequest
from gql.transport.aiohttp_websockets import AIOHTTPWebsocketsTransport
from gql.transport.exceptions import TransportQueryError

from access.tokens import mint_development_token
from resolvers.global_ids import to_global_id
from server import init_app
from tests import factories
from tests.conftest import make_settings
from web.app_keys import CHANGE_FEED, LIVE

KEY_CHANGES = """subscription ($c: ID!) {
  apiKeyChanges(carrierId: $c) { action apiKey { id hint status } } }"""
ENABLEMENTS = """subscription ($c: ID!) { enablementsChanged(carrierId: $c) {
  carrier { code } changes { feature { key } before after source }
  enablements { feature { key } effective } } }"""
ACTIVITY = "subscription ($c: ID!) { activityAppended(carrierId: $c) { action carrier { code } } }"
CREATE_KEY = """mutation ($c: ID!) {
  createApiKey(input: {carrierId: $c, description: "Live", scopes: [KEYS_READ]}) {
    ... on CreateApiKeyPayload { secret apiKey { id } } } }"""
REVOKE_KEY = 'mutation ($k: ID!) { revokeApiKey(input: {id: $k, reason: "test"}) { __typename } }'
SET_ENABLEMENT = """mutation ($c: ID!, $f: String!) {
  setCarrierEnablement(input: {carrierId: $c, featureKey: $f, state: ENABLED, reason: "test"}) {
    __typename } }"""
WAIT = 10.0


@asynccontextmanager
async def instance(database_url: str, **settings: Any) -> AsyncIterator[TestClient[Any, Any]]:
    app = init_app(make_settings(database_url=database_url, ws_keepalive_seconds=5.0, **settings))
    async with TestClient(TestServer(app)) as client:
        feed = app[CHANGE_FEED]
        assert feed is not None
        async with asyncio.timeout(WAIT):
            await feed.until_listening()
        yield client


@pytest.fixture
async def two(own_database: str) -> AsyncIterator[tuple[TestClient[Any, Any], TestClient[Any, Any]]]:
    async with instance(own_database) as a, instance(own_database) as b:
        yield a, b


def ws_client(client: TestClient[Any, Any], credential: str | None) -> Client:
    transport = AIOHTTPWebsocketsTransport(
        url=str(client.make_url("/graphql")).replace("http", "ws", 1),
        subprotocols=[AIOHTTPWebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"Authorization": f"Bearer {credential}"} if credential else {},
    )
    return Client(transport=transport)


async def post(client: TestClient[Any, Any], query: str, token: str, **variables: Any) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=factories.bearer(token)
    )
    return await response.json()


async def watching(client: TestClient[Any, Any], count: int) -> None:
    """Until `count` subscriptions watch the change feed on `client`'s instance: a change made before
    that would not reach them."""
    live = client.app[LIVE]
    async with asyncio.timeout(WAIT):
        while len(live.watches) < count:  # noqa: ASYNC110 - the instance's state is polled
            await asyncio.sleep(0.01)


async def first_events(session: Any, query: str, variables: dict[str, Any], count: int) -> list[Any]:
    """The first `count` events of a subscription (callers start it as a task, then act)."""
    events: list[Any] = []
    async with asyncio.timeout(WAIT):
        async for event in session.subscribe(GraphQLRequest(query, variable_values=variables)):
            events.append(event)
            if len(events) == count:
                break
    return events


async def carrier_with_feature(own_database: str) -> tuple[str, str, str]:
    conn = await asyncpg.connect(own_database)
    code = factories.unique_code("L")
    carrier = await factories.carrier(conn, code)
    feature = await factories.feature(conn)
    key = await conn.fetchval("select key from features where id = $1", feature)
    await conn.close()
    return to_global_id("Carrier", carrier), code, key


async def test_an_event_arrives_after_a_mutation_on_the_other_instance(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    a, b = two
    carrier, code, feature = await carrier_with_feature(own_database)
    staff = factories.staff_token()
    async with ws_client(b, staff) as session:
        reading = asyncio.create_task(first_events(session, ENABLEMENTS, {"c": carrier}, 1))
        await watching(b, 1)
        await post(a, SET_ENABLEMENT, staff, c=carrier, f=feature)
        (event,) = await reading
    change = event["enablementsChanged"]
    assert change["carrier"] == {"code": code}
    assert change["changes"] == [
        {"feature": {"key": feature}, "before": False, "after": True, "source": "CARRIER"}
    ]
    assert {"feature": {"key": feature}, "effective": True} in change["enablements"]


async def test_key_and_activity_events_for_the_carrier(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    a, b = two
    carrier, code, _ = await carrier_with_feature(own_database)
    admin = factories.admin_token(carriers=[code])
    async with ws_client(b, admin) as keys, ws_client(b, admin) as log:
        key_events = asyncio.create_task(first_events(keys, KEY_CHANGES, {"c": carrier}, 2))
        activity_events = asyncio.create_task(first_events(log, ACTIVITY, {"c": carrier}, 2))
        await watching(b, 2)
        created = await post(a, CREATE_KEY, admin, c=carrier)
        key_id = created["data"]["createApiKey"]["apiKey"]["id"]
        await post(a, REVOKE_KEY, admin, k=key_id)
        keys_seen, activity_seen = await key_events, await activity_events
    assert [(e["apiKeyChanges"]["action"], e["apiKeyChanges"]["apiKey"]["id"]) for e in keys_seen] == [
        ("CREATED", key_id),
        ("REVOKED", key_id),
    ]
    assert keys_seen[1]["apiKeyChanges"]["apiKey"]["status"] == "REVOKED"
    assert [e["activityAppended"]["action"] for e in activity_seen] == ["apiKey.create", "apiKey.revoke"]


async def test_a_revoked_keys_subscription_ends_with_an_error_saying_so(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    a, b = two
    carrier, _code, _ = await carrier_with_feature(own_database)
    staff = factories.staff_token()
    created = await post(a, CREATE_KEY, staff, c=carrier)
    secret, key_id = (
        created["data"]["createApiKey"]["secret"],
        created["data"]["createApiKey"]["apiKey"]["id"],
    )
    async with ws_client(b, secret) as session:
        reading = asyncio.create_task(first_events(session, KEY_CHANGES, {"c": carrier}, 5))
        await watching(b, 1)
        await post(a, REVOKE_KEY, staff, k=key_id)
        with pytest.raises(TransportQueryError) as ended:
            await reading
    error = ended.value.errors[0]  # type: ignore[index]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "no longer works" in error["message"]


async def test_another_tenants_carrier_is_not_found_and_none_of_it_is_sent(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    _a, b = two
    carrier, _, _feature = await carrier_with_feature(own_database)
    _, other_code, _ = await carrier_with_feature(own_database)
    outsider = factories.admin_token(carriers=[other_code])
    async with ws_client(b, outsider) as session:
        with pytest.raises(TransportQueryError) as refused:
            await first_events(session, ENABLEMENTS, {"c": carrier}, 1)
    assert refused.value.errors[0]["extensions"]["code"] == "NOT_FOUND"  # type: ignore[index]


async def test_connection_init_authenticates(two: tuple[TestClient[Any, Any], TestClient[Any, Any]]) -> None:
    _, b = two
    for credential, code in ((None, 4401), ("cak_test_nonsense", 4401), ("not-a-token", 4401)):
        url = str(b.make_url("/graphql")).replace("http", "ws", 1)
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(url, protocols=["graphql-transport-ws"]) as ws,
        ):
            payload = {"Authorization": f"Bearer {credential}"} if credential else {}
            await ws.send_json({"type": "connection_init", "payload": payload})
            message = await ws.receive(timeout=WAIT)
            assert message.type == aiohttp.WSMsgType.CLOSE
            assert ws.close_code == code, (credential, ws.close_code, message.extra)


async def test_only_subscriptions_are_served_and_at_most_so_many_per_connection(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    _, b = two
    carrier, _, _ = await carrier_with_feature(own_database)
    url = str(b.make_url("/graphql")).replace("http", "ws", 1)
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url, protocols=["graphql-transport-ws"]) as ws,
    ):
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {factories.staff_token()}"}}
        )
        assert (await ws.receive_json(timeout=WAIT))["type"] == "connection_ack"
        await ws.send_json({"id": "q", "type": "subscribe", "payload": {"query": "{ viewer { kind } }"}})
        refused = await ws.receive_json(timeout=WAIT)
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
        for n in range(11):
            await ws.send_json(
                {
                    "id": f"s{n}",
                    "type": "subscribe",
                    "payload": {"query": KEY_CHANGES, "variables": {"c": carrier}},
                }
            )
        over = await ws.receive_json(timeout=WAIT)
        assert over == {
            "id": "s10",
            "type": "error",
            "payload": [over["payload"][0]],
        }
        assert over["payload"][0]["extensions"]["code"] == "LIMIT_REACHED"


async def connected(client: TestClient[Any, Any], http: aiohttp.ClientSession, token: str) -> Any:
    url = str(client.make_url("/graphql")).replace("http", "ws", 1)
    ws = await http.ws_connect(url, protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    return ws


async def test_a_caller_has_so_many_connections_and_an_idle_one_is_closed(own_database: str) -> None:
    async with instance(own_database, ws_max_connections_per_caller=1, ws_idle_timeout_seconds=1.0) as b:
        staff = factories.staff_token()
        async with aiohttp.ClientSession() as http:
            first = await connected(b, http, staff)
            assert (await first.receive_json(timeout=WAIT))["type"] == "connection_ack"
            second = await connected(b, http, staff)
            await second.receive(timeout=WAIT)
            assert second.close_code == 4429
            # the first, with no subscription, is closed after the idle timeout
            await first.receive(timeout=WAIT)
            assert first.close_code == 4408
            third = await connected(b, http, staff)  # a closed connection no longer counts
            assert (await third.receive_json(timeout=WAIT))["type"] == "connection_ack"
            await third.close()


async def test_people_send_trusted_documents_where_http_requires_it(own_database: str) -> None:
    carrier, code, _ = await carrier_with_feature(own_database)
    only_trusted = instance(own_database, trusted_documents_only_for_people=True)
    async with only_trusted as b, aiohttp.ClientSession() as http:
        ws = await connected(b, http, factories.admin_token(carriers=[code]))
        assert (await ws.receive_json(timeout=WAIT))["type"] == "connection_ack"
        subscribe = {"query": KEY_CHANGES, "variables": {"c": carrier}}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": subscribe})
        refused = await ws.receive_json(timeout=WAIT)
        assert refused["payload"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        await ws.close()


ORGANIZATION_ENABLEMENTS = """subscription ($o: ID!) { enablementsChanged(organizationId: $o) {
  carrier { code } changes { feature { key } after source } } }"""
SET_ORGANIZATION_ENABLEMENT = """mutation ($o: ID!, $f: String!) {
  setOrganizationEnablement(input: {organizationId: $o, featureKey: $f, state: ENABLED, reason: "test"}) {
    __typename } }"""


async def test_an_organizations_setting_arrives_for_each_of_its_carriers(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    a, b = two
    conn = await asyncpg.connect(own_database)
    organization = await factories.organization(conn)
    codes = sorted(factories.unique_code("G") for _ in range(2))
    for code in codes:
        await factories.carrier(conn, code, organization_id=organization)
    feature = await conn.fetchval("select key from features where id = $1", await factories.feature(conn))
    await conn.close()
    org = to_global_id("Organization", organization)
    admin = factories.admin_token(organizations=[organization])
    async with ws_client(b, admin) as session:
        reading = asyncio.create_task(first_events(session, ORGANIZATION_ENABLEMENTS, {"o": org}, 2))
        await watching(b, 1)
        await post(a, SET_ORGANIZATION_ENABLEMENT, factories.staff_token(), o=org, f=feature)
        events = await reading
    assert sorted(e["enablementsChanged"]["carrier"]["code"] for e in events) == codes
    for event in events:
        assert event["enablementsChanged"]["changes"] == [
            {"feature": {"key": feature}, "after": True, "source": "ORGANIZATION"}
        ]


ORGANIZATION_KEYS = """subscription ($o: ID!) { apiKeyChanges(organizationId: $o) {
  action apiKey { id carrier { code } } } }"""
ORGANIZATION_ACTIVITY = (
    "subscription ($o: ID!) { activityAppended(organizationId: $o) { action carrier { code } } }"
)


async def test_an_organizations_keys_and_activity_arrive_and_no_other_carriers(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    a, b = two
    conn = await asyncpg.connect(own_database)
    organization = await factories.organization(conn)
    member, outsider = factories.unique_code("M"), factories.unique_code("X")
    member_id = await factories.carrier(conn, member, organization_id=organization)
    outsider_id = await factories.carrier(conn, outsider)
    await conn.close()
    org = to_global_id("Organization", organization)
    staff = factories.staff_token()
    async with (
        ws_client(b, factories.admin_token(organizations=[organization])) as keys,
        ws_client(b, factories.admin_token(organizations=[organization], subject="admin-2")) as log,
    ):
        key_events = asyncio.create_task(first_events(keys, ORGANIZATION_KEYS, {"o": org}, 1))
        activity_events = asyncio.create_task(first_events(log, ORGANIZATION_ACTIVITY, {"o": org}, 1))
        await watching(b, 2)
        # the other carrier's key comes first: were it sent, it would be the first event
        await post(a, CREATE_KEY, staff, c=to_global_id("Carrier", outsider_id))
        await post(a, CREATE_KEY, staff, c=to_global_id("Carrier", member_id))
        (key_event,), (activity_event,) = await key_events, await activity_events
    assert key_event["apiKeyChanges"]["action"] == "CREATED"
    assert key_event["apiKeyChanges"]["apiKey"]["carrier"] == {"code": member}
    assert activity_event["activityAppended"] == {"action": "apiKey.create", "carrier": {"code": member}}


async def test_a_subscription_names_exactly_one_carrier_or_organization(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    _, b = two
    carrier, _, _ = await carrier_with_feature(own_database)
    both = "subscription ($c: ID!) { activityAppended(carrierId: $c, organizationId: $c) { action } }"
    async with ws_client(b, factories.staff_token()) as session:
        for query, variables in ((both, {"c": carrier}), ("subscription { apiKeyChanges { action } }", {})):
            with pytest.raises(TransportQueryError) as refused:
                await first_events(session, query, variables, 1)
            assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"  # type: ignore[index]


async def test_a_connection_is_closed_when_its_token_expires(own_database: str) -> None:
    carrier, code, _ = await carrier_with_feature(own_database)
    short = mint_development_token(
        factories.TOKENS, subject="brief", name="Brief Admin", carrier_codes=[code], lifetime_seconds=2
    )
    async with instance(own_database) as b, aiohttp.ClientSession() as http:
        ws = await connected(b, http, short)
        assert (await ws.receive_json(timeout=WAIT))["type"] == "connection_ack"
        subscribe = {"query": KEY_CHANGES, "variables": {"c": carrier}}
        await ws.send_json({"id": "1", "type": "subscribe", "payload": subscribe})
        closed = await ws.receive(timeout=WAIT)
        assert closed.type == aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 4401
        assert "expired" in str(closed.extra)


POLICY_CHANGED = """subscription ($c: ID!) {
  apiKeyPolicyChanged(carrierId: $c) { maxLifetimeDays maxLifetimeDaysSource allowlistRequired } }"""
SET_POLICY = """mutation ($o: ID!) {
  setOrganizationKeyPolicy(input: {organizationId: $o, maxLifetimeDays: 45, allowlistRequired: true}) {
    __typename } }"""


async def test_an_organizations_policy_change_reaches_its_carriers_pages(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    a, b = two
    conn = await asyncpg.connect(own_database)
    organization = await factories.organization(conn)
    code = factories.unique_code("W")
    carrier = await factories.carrier(conn, code, organization_id=organization)
    await conn.close()
    # a carrier's administrator watches; the organization's administrator changes the policy
    watcher = factories.admin_token(carriers=[code])
    org_admin = factories.admin_token(organizations=[organization], subject="admin-2")
    async with ws_client(b, watcher) as session:
        reading = asyncio.create_task(
            first_events(session, POLICY_CHANGED, {"c": to_global_id("Carrier", carrier)}, 1)
        )
        await watching(b, 1)
        answer = await post(a, SET_POLICY, org_admin, o=to_global_id("Organization", organization))
        assert answer["data"]["setOrganizationKeyPolicy"]["__typename"] == "OrganizationKeyPolicyPayload"
        (event,) = await reading
    assert event["apiKeyPolicyChanged"] == {
        "maxLifetimeDays": 45,
        "maxLifetimeDaysSource": "ORGANIZATION",
        "allowlistRequired": True,
    }
