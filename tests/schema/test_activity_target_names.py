"""ActivityEvent.targetName: each event names what it acted on as it was called then (a rename or a
deletion since changes nothing), for every kind of change the Tools page makes, with generated names;
it is an event's contents, so an API key reads it only with the scope of what the event is about."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import GraphQL
from tests.drawn import drawn
from tests.factories import bearer, staff_token

EVENTS = """
query Events($carrier: ID!) {
  activity(carrierId: $carrier, first: 50) { nodes { action targetType targetName } }
}
"""
ORGANIZATION_EVENTS = """
query Events($organization: ID!) {
  activity(organizationId: $organization, first: 50) { nodes { action targetType targetName } }
}
"""
# Names as people type them: any printable text, trimmed by the API.
NAMES = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=60
).filter(lambda name: name.strip() != "")


async def run(graphql: GraphQL, document: str, **input_fields: Any) -> dict[str, Any]:
    body = await graphql(document, {"input": input_fields}, headers=bearer(staff_token()))
    assert "errors" not in body, body
    (result,) = body["data"].values()
    assert "code" not in result, result
    return dict(result)


async def test_every_change_names_its_target_as_it_was_called_then(
    graphql: GraphQL, conn: Connection
) -> None:
    for description, organization_name in drawn(st.tuples(NAMES, NAMES), 5):
        # given: a carrier in an organization, and a feature
        code = factories.unique_code("N")
        carrier_id = await factories.carrier(conn, code, name=f"{code} Line")
        carrier = to_global_id("Carrier", carrier_id)
        feature_key = f"test.named{factories.unique_code().lower()}"
        await factories.feature(conn, feature_key)
        created = await run(
            graphql,
            "mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) {"
            " ... on OrganizationPayload { organization { id } } ... on UserError { code } } }",
            name=f"{organization_name} {code}",
            carrierIds=[carrier],
        )
        organization = created["organization"]["id"]

        # when: the page's changes, then a rename of what they named
        key = await run(
            graphql,
            "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) {"
            " ... on CreateApiKeyPayload { apiKey { id hint } } ... on UserError { code } } }",
            carrierId=carrier,
            description=description,
            scopes=["CARRIER_READ"],
        )
        await run(
            graphql,
            "mutation ($input: SetCarrierEnablementInput!) { setCarrierEnablement(input: $input) {"
            " __typename ... on UserError { code } } }",
            carrierId=carrier,
            featureKey=feature_key,
            state="ENABLED",
            reason="Pilot",
        )
        await run(
            graphql,
            "mutation ($input: SetOrganizationEnablementInput!) { setOrganizationEnablement(input: $input) {"
            " __typename ... on UserError { code } } }",
            organizationId=organization,
            featureKey=feature_key,
            state="DISABLED",
            reason="Rollout",
        )
        await run(
            graphql,
            "mutation ($input: RenameOrganizationInput!) { renameOrganization(input: $input) {"
            " __typename ... on UserError { code } } }",
            id=organization,
            name=f"Renamed {code}",
        )
        await run(
            graphql,
            "mutation ($input: DetachCarrierInput!) { detachCarrierFromOrganization(input: $input) {"
            " __typename ... on UserError { code } } }",
            carrierId=carrier,
        )

        # then: the carrier's events, and the organization's (the carrier has left it)
        named = set()
        for document, variables in (
            (EVENTS, {"carrier": carrier}),
            (ORGANIZATION_EVENTS, {"organization": organization}),
        ):
            body = await graphql(document, variables, headers=bearer(staff_token()))
            assert "errors" not in body, body
            named |= {(e["action"], e["targetName"]) for e in body["data"]["activity"]["nodes"]}
        old_name = f"{organization_name.strip()} {code}"
        assert named == {
            ("carrier.attach", f"{code} ({code} Line)"),
            ("apiKey.create", f"{description.strip()} ({key['apiKey']['hint']})"),
            ("enablement.setForCarrier", f"{code} ({code} Line)"),
            ("organization.create", old_name),
            ("enablement.setForOrganization", old_name),
            ("organization.rename", f"Renamed {code}"),
            ("carrier.detach", f"{code} ({code} Line)"),
        }, named


async def test_a_key_reads_a_target_name_only_with_the_scope_of_the_event(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: a key event and a refusal, read by a key that may read the log but not keys
    code = factories.unique_code("N")
    carrier_id = await factories.carrier(conn, code)
    carrier = to_global_id("Carrier", carrier_id)
    await factories.api_key(conn, carrier_id, description="Audited integration")
    _, log_reader = await factories.api_key(conn, carrier_id, scopes=("activity:read",))
    _, both = await factories.api_key(conn, carrier_id, scopes=("activity:read", "keys:read"))
    await run(
        graphql,
        "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }",
        carrierId=carrier,
        description="Named in the log",
        scopes=["CARRIER_READ"],
    )

    # when
    narrow = await graphql(EVENTS, {"carrier": carrier}, headers=bearer(log_reader))
    wide = await graphql(EVENTS, {"carrier": carrier}, headers=bearer(both))

    # then: without KEYS_READ the key's name is refused like the event's other contents
    assert {e["extensions"]["requiredScope"] for e in narrow["errors"]} == {"KEYS_READ"}
    assert narrow["data"]["activity"]["nodes"][0]["targetName"] is None
    assert "errors" not in wide, wide
    assert wide["data"]["activity"]["nodes"][0]["targetName"].startswith("Named in the log (cak_test_")
