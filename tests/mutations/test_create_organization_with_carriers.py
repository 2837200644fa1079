"""createOrganization with any number of carriers: all of them join in one transaction, or, if one is
not found or already in another organization, the error names it by its input field and nothing is
written. Generated: which carriers are listed, in which order, and which of them are at fault."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.drawn import drawn
from tests.factories import bearer, staff_token

CREATE = """
mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    __typename
    ... on OrganizationPayload {
      organization { name carriers { totalCount nodes { code } } }
      carriers { code }
      effectiveChanges { carrier { code } feature { key } after }
    }
    ... on UserError { code field message }
    ... on AlreadyInOrganizationError { currentOrganization { name } }
  }
}
"""
# Each listed carrier: free, in another organization, or not there at all.
KINDS = st.lists(st.sampled_from(["free", "free", "free", "taken", "missing"]), min_size=0, max_size=8)


async def state(conn: Connection) -> Any:
    return (
        await conn.fetch("select id, organization_id, version from carriers order by id"),
        await conn.fetchval("select count(*) from organizations"),
        await conn.fetchval("select count(*) from activity_log"),
    )


async def test_every_carrier_joins_or_the_first_at_fault_is_named_and_nothing_is_written(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    other = await factories.organization(conn, "Somebody Else's Group")
    feature = await factories.feature(conn, "orgs.pilot", default=False)
    failures = []
    for number, kinds in enumerate(drawn(KINDS, 30)):
        # given: carriers of each kind, in the drawn order
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            ids: list[str] = []
            codes: list[str | None] = []
            for kind in kinds:
                code = factories.unique_code("G")
                if kind == "missing":
                    ids.append(str(to_global_id("Carrier", uuid.uuid4())))
                    codes.append(None)
                    continue
                carrier = await factories.carrier(
                    conn, code, organization_id=other if kind == "taken" else None
                )
                ids.append(str(to_global_id("Carrier", carrier)))
                codes.append(code)
            group = await factories.organization(conn, f"Template {number}")
            await factories.set_organization_enablement(conn, group, feature, True)
            before = await state(conn)

            # when
            name = f"New Group {number}"
            response = await client.post(
                "/graphql",
                json={"query": CREATE, "variables": {"input": {"name": name, "carrierIds": ids}}},
                headers=bearer(staff_token()),
            )
            result = (await response.json())["data"]["createOrganization"]

            # then
            at_fault = next((i for i, kind in enumerate(kinds) if kind != "free"), None)
            if at_fault is None:
                joined = [c for c in codes if c is not None]
                ok = (
                    result["__typename"] == "OrganizationPayload"
                    and [c["code"] for c in result["carriers"]] == joined
                    and result["organization"]["carriers"]["totalCount"] == len(joined)
                )
            else:
                expected = "NotFoundError" if kinds[at_fault] == "missing" else "AlreadyInOrganizationError"
                ok = (
                    result["__typename"] == expected
                    and result["field"] == f"carrierIds[{at_fault}]"
                    and await state(conn) == before
                )
            if not ok:
                failures.append((kinds, result))
        finally:
            await savepoint.rollback()
    assert not failures, failures[:3]


async def test_carriers_listed_twice_join_once(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await factories.carrier(conn)
    gid = str(to_global_id("Carrier", carrier))
    response = await client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": {"name": "Twice Group", "carrierIds": [gid, gid]}}},
        headers=bearer(staff_token()),
    )
    result = (await response.json())["data"]["createOrganization"]
    assert result["organization"]["carriers"]["totalCount"] == 1
