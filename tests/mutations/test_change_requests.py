"""requestChange, approveChangeRequest, declineChangeRequest: requests to Support for restricted functions.

Generated: every restricted function (kind) with every ending (approved: exactly the change is made;
declined; expired; refused at approval because the change no longer applies), requested by a carrier's
or an organization's administrator with a generated reason. Then the rules: nobody answers their own
request, an API key neither requests nor answers, a requester sees only their own.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from access.tokens import mint_development_token
from db import change_requests
from db.pool import Connection
from resolvers.global_ids import from_global_id, to_global_id
from services.key_expiry_job import KeyExpiryJob
from tests import factories
from tests.conftest import ClientFactory, TransactionDatabase
from tests.drawn import drawn
from tests.factories import TOKENS, admin_token, bearer, staff_token

REQUEST = """
mutation Request($input: RequestChangeInput!) {
  requestChange(input: $input) {
    __typename
    ... on ChangeRequestPayload { changeRequest { id kind state summary proposed reason version
                                                  requestedBy { kind id } carriers { code } } }
    ... on UserError { message code field }
    ... on ForbiddenError { rule }
  }
}
"""
APPROVE = """
mutation Approve($input: ApproveChangeRequestInput!) {
  approveChangeRequest(input: $input) {
    __typename
    ... on ChangeRequestPayload { changeRequest { id state answer decidedBy { kind id } } }
    ... on UserError { message code field }
    ... on ForbiddenError { rule }
    ... on ChangeNoLongerAppliesError { cause changeRequestId }
  }
}
"""
DECLINE = """
mutation Decline($input: DeclineChangeRequestInput!) {
  declineChangeRequest(input: $input) {
    __typename
    ... on ChangeRequestPayload { changeRequest { id state answer decidedBy { id } } }
    ... on UserError { message code field }
    ... on ForbiddenError { rule }
  }
}
"""
LIST = """
query List($filter: ChangeRequestFilter) {
  changeRequests(filter: $filter) { nodes { id kind state answer conflict requestedBy { id } } }
}
"""
ONE = "query One($id: ID!) { changeRequest(id: $id) { id state answer conflict } }"

KINDS = [
    "CREATE_ORGANIZATION",
    "ATTACH_CARRIER",
    "MOVE_CARRIER",
    "DETACH_CARRIER",
    "SET_CARRIER_ENABLEMENT",
    "SET_ORGANIZATION_ENABLEMENT",
    "NEVER_EXPIRING_KEY",
]
ENDINGS = ["approved", "declined", "expired", "conflict"]
# Kinds whose carrier is in an organization when requested: an organization's administrator reaches it.
IN_AN_ORGANIZATION = {"MOVE_CARRIER", "DETACH_CARRIER", "SET_ORGANIZATION_ENABLEMENT"}


def second_staff() -> str:
    return mint_development_token(TOKENS, subject="staff-2", name="Sue Staff", email=None, staff=True)


Post = Callable[..., Awaitable[dict[str, Any]]]


@dataclass
class World:
    """One scenario's own objects."""

    carrier: uuid.UUID
    code: str
    one: uuid.UUID  # an organization
    two: uuid.UUID  # another
    feature: uuid.UUID
    feature_key: str
    key: uuid.UUID
    name: str  # for a new organization


def gid(type_name: str, raw: uuid.UUID) -> str:
    return to_global_id(type_name, raw)


async def world(conn: Connection, kind: str) -> World:
    one, two = await factories.organization(conn), await factories.organization(conn)
    code = factories.unique_code("Q")
    carrier = await factories.carrier(conn, code, organization_id=one if kind in IN_AN_ORGANIZATION else None)
    feature_key = f"test.req{uuid.uuid4().hex[:8]}"
    feature = await factories.feature(conn, feature_key, default=kind == "SET_ORGANIZATION_ENABLEMENT")
    key, _ = await factories.api_key(conn, carrier)
    return World(carrier, code, one, two, feature, feature_key, key, f"Org {uuid.uuid4().hex[:8]}")


async def proposal(conn: Connection, kind: str, w: World) -> dict[str, Any]:  # noqa: PLR0911 - one per kind
    carrier = gid("Carrier", w.carrier)
    match kind:
        case "CREATE_ORGANIZATION":
            return {"createOrganization": {"name": w.name, "carrierIds": [carrier]}}
        case "ATTACH_CARRIER":
            return {"attachCarrier": {"carrierId": carrier, "organizationId": gid("Organization", w.one)}}
        case "MOVE_CARRIER":
            return {
                "moveCarrier": {
                    "carrierId": carrier,
                    "fromOrganizationId": gid("Organization", w.one),
                    "toOrganizationId": gid("Organization", w.two),
                }
            }
        case "DETACH_CARRIER":
            version = await conn.fetchval("select version from carriers where id = $1", w.carrier)
            return {"detachCarrier": {"carrierId": carrier, "expectedVersion": version}}
        case "SET_CARRIER_ENABLEMENT":
            return {
                "setCarrierEnablement": {
                    "carrierId": carrier,
                    "featureKey": w.feature_key,
                    "state": "ENABLED",
                    "reason": "pilot",
                }
            }
        case "SET_ORGANIZATION_ENABLEMENT":
            return {
                "setOrganizationEnablement": {
                    "organizationId": gid("Organization", w.one),
                    "featureKey": w.feature_key,
                    "state": "DISABLED",
                    "reason": "pilot over",
                }
            }
        case _:
            return {"neverExpiringKey": {"apiKeyId": gid("ApiKey", w.key)}}


async def state_of(conn: Connection, w: World) -> tuple[Any, ...]:
    """Everything any kind could change."""
    return (
        await conn.fetchval("select organization_id from carriers where id = $1", w.carrier),
        await conn.fetchval("select count(*) from organizations where name = $1", w.name),
        await conn.fetchval(
            "select enabled from carrier_enablements where carrier_id = $1 and feature_id = $2",
            w.carrier,
            w.feature,
        ),
        await conn.fetchval(
            "select enabled from organization_enablements where organization_id = $1 and feature_id = $2",
            w.one,
            w.feature,
        ),
        await conn.fetchval("select expires_at is null from api_keys where id = $1", w.key),
    )


async def expect_applied(conn: Connection, kind: str, w: World) -> None:
    organization, _, carrier_setting, organization_setting, never_expires = await state_of(conn, w)
    match kind:
        case "CREATE_ORGANIZATION":
            created = await conn.fetchval("select id from organizations where name = $1", w.name)
            assert organization == created is not None
        case "ATTACH_CARRIER":
            assert organization == w.one
        case "MOVE_CARRIER":
            assert organization == w.two
        case "DETACH_CARRIER":
            assert organization is None
        case "SET_CARRIER_ENABLEMENT":
            assert carrier_setting is True
        case "SET_ORGANIZATION_ENABLEMENT":
            assert organization_setting is False
        case _:
            assert never_expires is True


async def spoil(conn: Connection, kind: str, w: World) -> None:
    """Change the world between the request and its approval so that the change no longer applies."""
    match kind:
        case "CREATE_ORGANIZATION" | "ATTACH_CARRIER":
            await conn.execute("update carriers set organization_id = $2 where id = $1", w.carrier, w.two)
        case "MOVE_CARRIER":
            await conn.execute("update carriers set organization_id = null where id = $1", w.carrier)
        case "DETACH_CARRIER":
            await conn.execute("update carriers set version = version + 1 where id = $1", w.carrier)
        case "SET_CARRIER_ENABLEMENT" | "SET_ORGANIZATION_ENABLEMENT":
            await conn.execute("delete from features where id = $1", w.feature)
        case _:
            await conn.execute(
                "update api_keys set revoked_at = now(), revoked_by_kind = 'system', revoked_by_id = 't', "
                "revoked_reason = 'spoiled' where id = $1",
                w.key,
            )


def requester(kind: str, role: str, w: World) -> str:
    if role == "organization" and kind in IN_AN_ORGANIZATION:
        return admin_token(organizations=[w.one, w.two], subject="org-admin")
    return admin_token(carriers=[w.code], organizations=[w.one, w.two], subject="carrier-admin")


async def test_every_restricted_function_can_be_requested_and_ended_every_way(
    conn: Connection, make_client: ClientFactory
) -> None:
    client = await make_client(allow_non_expiring_keys=True)

    async def post(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=bearer(token)
        )
        body: dict[str, Any] = await response.json()
        return body

    reasons = drawn(
        st.text(
            st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=80
        ).filter(lambda s: s.strip()),
        28,
    )
    roles = drawn(st.sampled_from(["carrier", "organization"]), 28)
    for index, (kind, ending) in enumerate(itertools.product(KINDS, ENDINGS)):
        w = await world(conn, kind)
        token = requester(kind, roles[index % len(roles)], w)
        reason = reasons[index % len(reasons)]
        # given a request
        asked = await post(REQUEST, {"input": {"reason": reason, **await proposal(conn, kind, w)}}, token)
        result = asked["data"]["requestChange"]
        assert result["__typename"] == "ChangeRequestPayload", (kind, result)
        request = result["changeRequest"]
        assert (request["kind"], request["state"], request["reason"]) == (kind, "OPEN", reason.strip())
        request_id = request["id"]
        before = await state_of(conn, w)
        # then the requester sees it, open
        mine = await post(LIST, {"filter": {"mine": True}}, token)
        assert request_id in [r["id"] for r in mine["data"]["changeRequests"]["nodes"]]
        staff_queue = await post(LIST, {"filter": {"state": "OPEN", "kind": kind}}, staff_token())
        assert request_id in [r["id"] for r in staff_queue["data"]["changeRequests"]["nodes"]]

        # when it ends
        match ending:
            case "approved":
                answer = await post(APPROVE, {"input": {"id": request_id, "answer": "done"}}, staff_token())
                assert answer["data"]["approveChangeRequest"]["changeRequest"]["state"] == "APPROVED"
                await expect_applied(conn, kind, w)
                await expect_recorded_with_requester(conn, request_id)
            case "declined":
                answer = await post(
                    DECLINE, {"input": {"id": request_id, "answer": "Not now"}}, staff_token()
                )
                declined = answer["data"]["declineChangeRequest"]["changeRequest"]
                assert (declined["state"], declined["answer"]) == ("DECLINED", "Not now")
                assert await state_of(conn, w) == before
            case "expired":
                await conn.execute(
                    "update change_requests set expires_at = now() - interval '1 minute' where id = $1",
                    uuid.UUID(_raw(request_id)),
                )
                seen = await post(ONE, {"id": request_id}, token)
                assert seen["data"]["changeRequest"]["state"] == "EXPIRED"
                refused = await post(APPROVE, {"input": {"id": request_id}}, staff_token())
                assert refused["data"]["approveChangeRequest"]["code"] == "CONFLICT"
                assert await change_requests.expire(conn, now=datetime.now(UTC)) >= 1
                state = await conn.fetchval(
                    "select state from change_requests where id = $1", uuid.UUID(_raw(request_id))
                )
                assert state == "expired"
                assert await state_of(conn, w) == before
            case _:
                await spoil(conn, kind, w)
                spoiled = await state_of(conn, w)
                refused = await post(APPROVE, {"input": {"id": request_id}}, staff_token())
                answer = refused["data"]["approveChangeRequest"]
                assert answer["__typename"] == "ChangeNoLongerAppliesError", (kind, answer)
                assert answer["changeRequestId"] == request_id
                assert await state_of(conn, w) == spoiled  # nothing changed
                seen = (await post(ONE, {"id": request_id}, token))["data"]["changeRequest"]
                assert seen["state"] == "OPEN"
                assert seen["conflict"]


def _raw(global_id: str) -> str:
    decoded = from_global_id(global_id)
    assert decoded is not None
    return str(decoded[1])


async def expect_recorded_with_requester(conn: Connection, request_id: str) -> None:
    rows = await conn.fetch(
        "select action, actor_id, requested_by from activity_log where requested_by->>'changeRequestId' = $1 "
        "order by occurred_at, id",
        _raw(request_id),
    )
    actions = [r["action"] for r in rows]
    assert actions[-1] == "changeRequest.approve"
    assert len(actions) >= 2  # the change itself (and for a new organization, its carriers' attach)
    for r in rows:
        assert r["actor_id"] == "staff-1"
        assert r["requested_by"]["id"] in ("carrier-admin", "org-admin")


async def test_nobody_answers_their_own_request(conn: Connection, make_client: ClientFactory) -> None:
    client = await make_client()
    w = await world(conn, "ATTACH_CARRIER")
    own = second_staff()

    async def post(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=bearer(token)
        )
        body: dict[str, Any] = await response.json()
        return body

    asked = await post(
        REQUEST, {"input": {"reason": "four eyes", **await proposal(conn, "ATTACH_CARRIER", w)}}, own
    )
    request_id = asked["data"]["requestChange"]["changeRequest"]["id"]
    for query in (APPROVE, DECLINE):
        answer = await post(query, {"input": {"id": request_id, "answer": "mine"}}, own)
        (result,) = answer["data"].values()
        assert (result["__typename"], result["rule"]) == ("ForbiddenError", "OWN_REQUEST")
    assert await state_of(conn, w) == (None, 0, None, None, False)
    approved = await post(APPROVE, {"input": {"id": request_id}}, staff_token())
    assert approved["data"]["approveChangeRequest"]["changeRequest"]["state"] == "APPROVED"
    again = await post(APPROVE, {"input": {"id": request_id}}, staff_token())
    assert again["data"]["approveChangeRequest"]["code"] == "CONFLICT"


async def test_an_api_key_neither_requests_nor_answers(conn: Connection, make_client: ClientFactory) -> None:
    client = await make_client()
    w = await world(conn, "ATTACH_CARRIER")
    _, secret = await factories.api_key(conn, w.carrier, scopes=["carrier:read", "keys:write"])
    admin = admin_token(carriers=[w.code], organizations=[w.one])

    async def post(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=bearer(token)
        )
        body: dict[str, Any] = await response.json()
        return body

    by_key = await post(
        REQUEST, {"input": {"reason": "r", **await proposal(conn, "ATTACH_CARRIER", w)}}, secret
    )
    result = by_key["data"]["requestChange"]
    assert (result["__typename"], result["rule"]) == ("ForbiddenError", "PEOPLE_ONLY")
    asked = await post(
        REQUEST, {"input": {"reason": "r", **await proposal(conn, "ATTACH_CARRIER", w)}}, admin
    )
    request_id = asked["data"]["requestChange"]["changeRequest"]["id"]
    for query in (APPROVE, DECLINE):
        answer = await post(query, {"input": {"id": request_id, "answer": "key"}}, secret)
        assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await post(LIST, {}, secret)
    assert listed["data"]["changeRequests"] == {"nodes": []}
    # an administrator is no staff either
    answer = await post(APPROVE, {"input": {"id": request_id}}, admin)
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_request_is_checked_as_the_change_would_be(
    conn: Connection, make_client: ClientFactory
) -> None:
    client = await make_client()
    w = await world(conn, "ATTACH_CARRIER")
    other = await world(conn, "ATTACH_CARRIER")
    admin = admin_token(carriers=[w.code], organizations=[w.one])

    async def request(input: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": REQUEST, "variables": {"input": input}}, headers=bearer(admin)
        )
        body: dict[str, Any] = await response.json()
        assert body.get("data"), body
        return body["data"]["requestChange"]  # type: ignore[no-any-return]

    # another tenant's carrier is not found
    beyond = await request({"reason": "r", **await proposal(conn, "ATTACH_CARRIER", other)})
    assert beyond["code"] == "NOT_FOUND"
    # two proposals at once, or none
    both = await request(
        {
            "reason": "r",
            **await proposal(conn, "ATTACH_CARRIER", w),
            "detachCarrier": {"carrierId": gid("Carrier", w.carrier)},
        }
    )
    assert both["code"] == "BAD_USER_INPUT"
    # a change that is already so
    detach = await request({"reason": "r", "detachCarrier": {"carrierId": gid("Carrier", w.carrier)}})
    assert (detach["code"], detach["field"]) == ("BAD_USER_INPUT", "proposal")
    # a key that never expires where the platform allows none: refused as updateApiKey refuses staff
    key = await request({"reason": "r", "neverExpiringKey": {"apiKeyId": gid("ApiKey", w.key)}})
    assert (key["__typename"], key["rule"]) == ("ForbiddenError", "NON_EXPIRING_NOT_ALLOWED")
    # the try-out left nothing behind
    assert await state_of(conn, w) == (None, 0, None, None, False)
    assert (
        await conn.fetchval("select count(*) from change_requests where $1 = any(carrier_ids)", w.carrier)
        == 0
    )


async def test_the_expiry_job_expires_requests_once(conn: Connection, make_client: ClientFactory) -> None:
    # given: an open request past its expiry
    client = await make_client()
    w = await world(conn, "ATTACH_CARRIER")
    admin = admin_token(carriers=[w.code], organizations=[w.one])
    response = await client.post(
        "/graphql",
        json={
            "query": REQUEST,
            "variables": {"input": {"reason": "r", **await proposal(conn, "ATTACH_CARRIER", w)}},
        },
        headers=bearer(admin),
    )
    request_id = uuid.UUID(_raw((await response.json())["data"]["requestChange"]["changeRequest"]["id"]))
    await conn.execute(
        "update change_requests set expires_at = now() - interval '1 second' where id = $1", request_id
    )

    # when: the job runs twice
    job = KeyExpiryJob(TransactionDatabase(conn), 60, lambda: datetime.now(UTC))
    await job.run_once()
    await job.run_once()

    # then: expired once, by the system, with one event
    row = await conn.fetchrow("select state, decided_by_kind from change_requests where id = $1", request_id)
    assert row is not None
    assert (row["state"], row["decided_by_kind"]) == ("expired", "system")
    events = await conn.fetch(
        "select actor_kind, requested_by from activity_log"
        " where action = 'changeRequest.expire' and target_id = $1",
        request_id,
    )
    assert [(e["actor_kind"], e["requested_by"]["id"]) for e in events] == [("system", "admin-1")]


WITHDRAW = """
mutation Withdraw($input: WithdrawChangeRequestInput!) {
  withdrawChangeRequest(input: $input) {
    __typename
    ... on ChangeRequestPayload { changeRequest { id state decidedBy { id } } }
    ... on UserError { message code field }
    ... on ForbiddenError { rule }
  }
}
"""


async def test_only_the_requester_withdraws_an_open_request(
    conn: Connection, make_client: ClientFactory
) -> None:
    client = await make_client()
    w = await world(conn, "ATTACH_CARRIER")
    admin = admin_token(carriers=[w.code], organizations=[w.one])
    colleague = admin_token(carriers=[w.code], organizations=[w.one], subject="admin-2")

    async def post(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=bearer(token)
        )
        body: dict[str, Any] = await response.json()
        return body

    asked = await post(
        REQUEST, {"input": {"reason": "r", **await proposal(conn, "ATTACH_CARRIER", w)}}, admin
    )
    request_id = asked["data"]["requestChange"]["changeRequest"]["id"]
    # someone else (a colleague, staff) cannot: it is not theirs
    for other in (colleague, staff_token()):
        answer = (await post(WITHDRAW, {"input": {"id": request_id}}, other))["data"]["withdrawChangeRequest"]
        assert answer["code"] == "NOT_FOUND"
    withdrawn = (await post(WITHDRAW, {"input": {"id": request_id}}, admin))["data"]["withdrawChangeRequest"]
    assert withdrawn["changeRequest"]["state"] == "WITHDRAWN"
    again = await post(APPROVE, {"input": {"id": request_id}}, staff_token())
    assert again["data"]["approveChangeRequest"]["code"] == "CONFLICT"
    assert await state_of(conn, w) == (None, 0, None, None, False)
