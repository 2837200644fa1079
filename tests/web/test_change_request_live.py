"""changeRequestsChanged: the requester sees their request's state and answer live, from another instance;
another administrator's request is never sent to them; an API key cannot subscribe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from gql.transport.exceptions import TransportQueryError

from resolvers.global_ids import to_global_id
from tests import factories
from tests.web.test_subscriptions import first_events, instance, post, watching, ws_client

CHANGED = "subscription { changeRequestsChanged { id state answer summary } }"
REQUEST = """mutation ($c: ID!, $o: ID!) {
  requestChange(input: {reason: "We joined the group", attachCarrier: {carrierId: $c, organizationId: $o}}) {
    ... on ChangeRequestPayload { changeRequest { id } } ... on UserError { code message } } }"""
DECLINE = """mutation ($id: ID!) {
  declineChangeRequest(input: {id: $id, answer: "Ask your organization's administrator"}) { __typename } }"""


@pytest.fixture
async def two(own_database: str) -> AsyncIterator[tuple[TestClient[Any, Any], TestClient[Any, Any]]]:
    async with instance(own_database) as a, instance(own_database) as b:
        yield a, b


async def test_the_requester_sees_the_answer_live(
    two: tuple[TestClient[Any, Any], TestClient[Any, Any]], own_database: str
) -> None:
    a, b = two
    conn = await asyncpg.connect(own_database)
    code, other_code = factories.unique_code("R"), factories.unique_code("R")
    carrier = await factories.carrier(conn, code)
    other = await factories.carrier(conn, other_code)
    organization = await factories.organization(conn)
    _, secret = await factories.api_key(conn, carrier)
    await conn.close()
    requester = factories.admin_token(carriers=[code], organizations=[organization], subject="req-1")
    bystander = factories.admin_token(carriers=[other_code], organizations=[organization], subject="req-2")
    variables = {"c": to_global_id("Carrier", carrier), "o": to_global_id("Organization", organization)}
    async with ws_client(b, requester) as mine, ws_client(b, bystander) as theirs:
        my_events = asyncio.create_task(first_events(mine, CHANGED, {}, 2))
        their_events = asyncio.create_task(first_events(theirs, CHANGED, {}, 1))
        await watching(b, 2)
        # the bystander's own request is the one event they see
        bystanders = await post(a, REQUEST, bystander, c=to_global_id("Carrier", other), o=variables["o"])
        asked = await post(a, REQUEST, requester, **variables)
        request_id = asked["data"]["requestChange"]["changeRequest"]["id"]
        await post(a, DECLINE, factories.staff_token(), id=request_id)
        seen = await my_events
        (theirs_seen,) = await their_events
    # Two events, the request made and answered. Each is read afresh when it is delivered: on a busy
    # machine the answer may already be committed when the first one is read, and it then shows it too.
    states = [(e["changeRequestsChanged"]["id"], e["changeRequestsChanged"]["state"]) for e in seen]
    assert states in (
        [(request_id, "OPEN"), (request_id, "DECLINED")],
        [(request_id, "DECLINED"), (request_id, "DECLINED")],
    ), states
    assert seen[1]["changeRequestsChanged"]["answer"] == "Ask your organization's administrator"
    assert (
        theirs_seen["changeRequestsChanged"]["id"]
        == (bystanders["data"]["requestChange"]["changeRequest"]["id"])
    )

    # an API key cannot watch requests
    async with ws_client(b, secret) as by_key:
        with pytest.raises(TransportQueryError) as refused:
            await first_events(by_key, CHANGED, {}, 1)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "FORBIDDEN"
