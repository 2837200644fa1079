"""Moving, detaching and attaching a carrier: the reason given is kept in the activity log, and
`membershipPreview` says beforehand exactly what the change will do to the carrier's effective
enablements (generated settings at every level, compared with what the mutation then answers)."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from hypothesis import strategies as st

from db.pool import Connection
from tests import factories
from tests.conftest import GraphQL
from tests.drawn import drawn
from tests.factories import admin_token, bearer
from tests.mutations.test_membership_mutations import DETACH, MOVE, activity_rows, carrier_gid, org_gid, staff

PREVIEW = """
query Preview($carrierId: ID!, $organizationId: ID) {
  membershipPreview(carrierId: $carrierId, organizationId: $organizationId) {
    carrier { code } feature { key } before after source
  }
}
"""
REASONS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=490, max_size=520),
    st.sampled_from(["", "   ", "\t\n", "Merger: Prairie took over the line", "a\x00b", "x" * 501]),
)
# One feature: its default, the current organization's setting, the target's, the carrier's own.
SETTING = st.sampled_from([None, True, False])
FEATURES = st.lists(st.tuples(st.booleans(), SETTING, SETTING, SETTING), min_size=1, max_size=4)


def expected_reason(given: str) -> str | type[ValueError] | None:
    """What the log should keep for `given`, or ValueError where the API must refuse it."""
    cleaned = given.strip()
    if len(cleaned) > 500 or any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in cleaned):
        return ValueError
    return cleaned or None


async def test_a_move_keeps_the_reason_given_or_refuses_it_at_its_field(
    graphql: GraphQL, conn: Connection
) -> None:
    for reason in drawn(REASONS, 12):
        # given
        here, there = await factories.organization(conn), await factories.organization(conn)
        carrier_id = await factories.carrier(conn, organization_id=here)
        move = {"carrierId": carrier_gid(carrier_id), "fromOrganizationId": org_gid(here)}

        # when
        body = await graphql(
            MOVE, {"input": {**move, "toOrganizationId": org_gid(there), "reason": reason}}, headers=staff()
        )

        # then
        result = body["data"]["moveCarrierToOrganization"]
        expected = expected_reason(reason)
        moved_to = await conn.fetchval("select organization_id from carriers where id = $1", carrier_id)
        if expected is ValueError:
            assert (result["__typename"], result["field"]) == ("ValidationError", "reason"), repr(reason)
            assert moved_to == here
            continue
        assert result["__typename"] == "CarrierMembershipPayload", (reason, result)
        assert moved_to == there
        recorded = await conn.fetchval(
            "select reason from activity_log where action = 'carrier.move' and target_id = $1", carrier_id
        )
        assert recorded == expected


async def test_detach_and_attach_keep_their_reasons_too(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn, "Reasoned Group")
    carrier_id = await factories.carrier(conn, organization_id=organization_id)

    detached = await graphql(
        DETACH,
        {"input": {"carrierId": carrier_gid(carrier_id), "reason": "  Sold to another holding  "}},
        headers=staff(),
    )
    attached = await graphql(
        "mutation ($input: AttachCarrierInput!) {"
        " attachCarrierToOrganization(input: $input) { __typename } }",
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "organizationId": org_gid(organization_id),
                "reason": "Bought back",
            }
        },
        headers=staff(),
    )

    assert detached["data"]["detachCarrierFromOrganization"]["__typename"] == "CarrierMembershipPayload"
    assert attached["data"]["attachCarrierToOrganization"]["__typename"] == "CarrierMembershipPayload"
    recorded = [(row["action"], row["reason"]) for row in await activity_rows(conn)]
    assert recorded == [("carrier.detach", "Sold to another holding"), ("carrier.attach", "Bought back")]


def as_set(changes: list[dict[str, Any]]) -> set[tuple[str, str, bool, bool, str]]:
    return {
        (c["carrier"]["code"], c["feature"]["key"], c["before"], c["after"], c["source"]) for c in changes
    }


async def preview(graphql: GraphQL, carrier_id: uuid.UUID, organization_id: uuid.UUID | None) -> Any:
    variables = {
        "carrierId": carrier_gid(carrier_id),
        "organizationId": org_gid(organization_id) if organization_id else None,
    }
    body = await graphql(PREVIEW, variables, headers=staff())
    assert "errors" not in body, body
    return body["data"]["membershipPreview"]


async def test_the_preview_is_what_the_move_and_the_detach_then_do(
    graphql: GraphQL, conn: Connection
) -> None:
    for features in drawn(FEATURES, 10):
        # given: settings at every level, as drawn
        here, there = await factories.organization(conn), await factories.organization(conn)
        code = factories.unique_code()
        carrier_id = await factories.carrier(conn, code, organization_id=here)
        for default, in_here, in_there, own in features:
            feature_id = await factories.feature(conn, default=default)
            for owner, setting, set_it in (
                (here, in_here, factories.set_organization_enablement),
                (there, in_there, factories.set_organization_enablement),
                (carrier_id, own, factories.set_carrier_enablement),
            ):
                if setting is not None:
                    await set_it(conn, owner, feature_id, setting)

        # when: the move is previewed, then made
        foreseen = await preview(graphql, carrier_id, there)
        moved = await graphql(
            MOVE,
            {
                "input": {
                    "carrierId": carrier_gid(carrier_id),
                    "fromOrganizationId": org_gid(here),
                    "toOrganizationId": org_gid(there),
                }
            },
            headers=staff(),
        )

        # then: the preview listed exactly what the move changed; and so for the detach after it
        assert as_set(foreseen) == as_set(moved["data"]["moveCarrierToOrganization"]["effectiveChanges"])
        foreseen = await preview(graphql, carrier_id, None)
        detached = await graphql(DETACH, {"input": {"carrierId": carrier_gid(carrier_id)}}, headers=staff())
        assert as_set(foreseen) == as_set(
            detached["data"]["detachCarrierFromOrganization"]["effectiveChanges"]
        )
        # where it already is: nothing would change
        assert await preview(graphql, carrier_id, None) == []


async def test_a_preview_beyond_the_callers_reach_is_null(graphql: GraphQL, conn: Connection) -> None:
    mine, theirs = await factories.organization(conn), await factories.organization(conn)
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code, organization_id=mine)
    other_id = await factories.carrier(conn, organization_id=theirs)
    admin = bearer(admin_token(carriers=[code]))

    async def ask(carrier: str, organization: str | None) -> Any:
        body = await graphql(PREVIEW, {"carrierId": carrier, "organizationId": organization}, headers=admin)
        assert "errors" not in body, body
        return body["data"]["membershipPreview"]

    # its own carrier, out of its organization: answered
    assert await ask(carrier_gid(carrier_id), None) == []
    # into an organization it does not reach, another tenant's carrier, ids of nothing: null
    assert await ask(carrier_gid(carrier_id), org_gid(theirs)) is None
    assert await ask(carrier_gid(other_id), None) is None
    assert await ask(carrier_gid(uuid.uuid4()), None) is None
    assert await ask("not an id", None) is None
    assert await ask(carrier_gid(carrier_id), carrier_gid(carrier_id)) is None
