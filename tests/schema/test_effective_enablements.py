"""effectiveEnablements: other services read which features are effective for hundreds of carriers in one
request, with a service key; the answer agrees with the inheritance rule for generated worlds, names
what it could not find, and costs the same statements for 3 carriers as for 300."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from db.pool import Connection
from resolvers.effective_enablements import MAX_CARRIERS, MAX_FEATURES
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import GraphQL, StatementLog
from tests.drawn import drawn
from tests.factories import admin_token, bearer, staff_token

EFFECTIVE = """
query Effective($ids: [ID!], $codes: [String!], $features: [String!]) {
  effectiveEnablements(carrierIds: $ids, carrierCodes: $codes, featureKeys: $features) {
    carriers { carrierId code features { key enabled source } }
    unknownCarriers
    unknownFeatures
  }
}
"""
SETTING = st.sampled_from([None, True, False])


@dataclass(frozen=True)
class WorldPlan:
    defaults: list[bool]  # per feature
    organization_settings: list[list[bool | None]]  # per organization, per feature
    # per carrier: its organization (index, or None) and its own settings per feature
    carriers: list[tuple[int | None, list[bool | None]]]
    by_code: list[bool]  # per carrier: asked for by code (else by id)


@st.composite
def world_plans(draw: st.DrawFn) -> WorldPlan:
    features = draw(st.integers(1, 4))
    settings = st.lists(SETTING, min_size=features, max_size=features)
    carriers = draw(
        st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 1)), settings), min_size=1, max_size=8)
    )
    return WorldPlan(
        defaults=draw(st.lists(st.booleans(), min_size=features, max_size=features)),
        organization_settings=[draw(settings), draw(settings)],
        carriers=carriers,
        by_code=draw(st.lists(st.booleans(), min_size=len(carriers), max_size=len(carriers))),
    )


def expected(plan: WorldPlan, carrier: int, feature: int) -> tuple[bool, str]:
    """The inheritance rule, independently: the carrier's setting, its organization's, the default."""
    organization, own = plan.carriers[carrier]
    setting = own[feature]
    if setting is not None:
        return setting, "CARRIER"
    if organization is not None and plan.organization_settings[organization][feature] is not None:
        setting = plan.organization_settings[organization][feature]
        assert setting is not None
        return setting, "ORGANIZATION"
    return plan.defaults[feature], "DEFAULT"


async def build(conn: Connection, plan: WorldPlan) -> tuple[list[str], list[uuid.UUID], list[str]]:
    """(feature keys, carrier ids, carrier codes) of the plan, inserted."""
    features = [await factories.feature(conn, default=default) for default in plan.defaults]
    keys = [await conn.fetchval("select key from features where id = $1", f) for f in features]
    organizations = [await factories.organization(conn) for _ in plan.organization_settings]
    for organization, settings in zip(organizations, plan.organization_settings, strict=True):
        for feature, setting in zip(features, settings, strict=True):
            if setting is not None:
                await factories.set_organization_enablement(conn, organization, feature, setting)
    ids, codes = [], []
    for member_of, settings in plan.carriers:
        code = factories.unique_code("E")
        carrier = await factories.carrier(
            conn, code, organization_id=organizations[member_of] if member_of is not None else None
        )
        for feature, setting in zip(features, settings, strict=True):
            if setting is not None:
                await factories.set_carrier_enablement(conn, carrier, feature, setting)
        ids.append(carrier)
        codes.append(code)
    return keys, ids, codes


async def service_key(conn: Connection) -> dict[str, str]:
    _, secret = await factories.api_key(conn, None, scopes=("enablements:read",))
    return bearer(secret)


async def test_the_answer_follows_the_inheritance_rule_for_generated_worlds(
    graphql: GraphQL, conn: Connection
) -> None:
    headers = await service_key(conn)
    for plan in drawn(world_plans(), 12):
        # given: a generated world, its carriers named partly by id and partly by code
        keys, ids, codes = await build(conn, plan)
        by_id = [to_global_id("Carrier", i) for i, code in zip(ids, plan.by_code, strict=True) if not code]
        by_code = [c.lower() for c, code in zip(codes, plan.by_code, strict=True) if code]

        # when
        body = await graphql(EFFECTIVE, {"ids": by_id, "codes": by_code, "features": keys}, headers=headers)

        # then: every carrier, in the order asked, each feature by the rule
        assert "errors" not in body, body
        answer = body["data"]["effectiveEnablements"]
        assert answer["unknownCarriers"] == answer["unknownFeatures"] == []
        order = [i for i, code in enumerate(plan.by_code) if not code] + [
            i for i, code in enumerate(plan.by_code) if code
        ]
        assert [c["code"] for c in answer["carriers"]] == [codes[i] for i in order]
        for carrier, index in zip(answer["carriers"], order, strict=True):
            assert carrier["carrierId"] == to_global_id("Carrier", ids[index])
            assert [(f["key"], f["enabled"], f["source"]) for f in carrier["features"]] == sorted(
                (key, *expected(plan, index, n)) for n, key in enumerate(keys)
            )


async def test_the_statement_count_is_the_same_for_3_and_300_carriers(
    graphql: GraphQL, conn: Connection, sql_log: StatementLog
) -> None:
    headers = await service_key(conn)
    feature = await factories.feature(conn, default=True)
    key = await conn.fetchval("select key from features where id = $1", feature)
    codes = [factories.unique_code("S") for _ in range(300)]
    for code in codes:
        await factories.carrier(conn, code)
    counts = []
    for asked in (codes[:3], codes):
        await graphql(EFFECTIVE, {"codes": asked[:1], "features": [key]}, headers=headers)  # warm-up
        await sql_log.count()
        sql_log.clear()
        body = await graphql(EFFECTIVE, {"codes": asked, "features": [key]}, headers=headers)
        counts.append(await sql_log.count())
        assert len(body["data"]["effectiveEnablements"]["carriers"]) == len(asked)
    # the key's lookup, the effective values, the catalogue keys asked for
    assert counts == [3, 3]


async def test_what_is_not_found_is_named_as_given(graphql: GraphQL, conn: Connection) -> None:
    mine, theirs = factories.unique_code("M"), factories.unique_code("T")
    mine_id = await factories.carrier(conn, mine)
    theirs_id = await factories.carrier(conn, theirs)
    feature = await factories.feature(conn)
    key = await conn.fetchval("select key from features where id = $1", feature)
    asked_ids = [
        to_global_id("Carrier", mine_id),
        to_global_id("Carrier", theirs_id),  # another tenant's: as if it did not exist
        to_global_id("Carrier", uuid.uuid4()),
        to_global_id("Feature", feature),  # an id of another type
        "not-an-id",
    ]
    body = await graphql(
        EFFECTIVE,
        {"ids": asked_ids, "codes": [mine, "NOPE1"], "features": [key, "no.such.feature", key]},
        headers=bearer(admin_token(carriers=[mine])),
    )
    answer = body["data"]["effectiveEnablements"]
    assert [c["code"] for c in answer["carriers"]] == [mine]  # asked twice, listed once
    assert answer["unknownCarriers"] == [*asked_ids[1:], "NOPE1"]
    assert answer["unknownFeatures"] == ["no.such.feature"]
    assert [f["key"] for f in answer["carriers"][0]["features"]] == [key]


async def test_every_feature_when_none_is_named(graphql: GraphQL, conn: Connection) -> None:
    code = factories.unique_code("A")
    await factories.carrier(conn, code)
    catalogue = await conn.fetchval("select count(*) from features")
    body = await graphql(EFFECTIVE, {"codes": [code]}, headers=bearer(staff_token()))
    assert len(body["data"]["effectiveEnablements"]["carriers"][0]["features"]) == catalogue


def error_of(body: dict[str, Any]) -> tuple[str, str]:
    extensions = body["errors"][0]["extensions"]
    return extensions["code"], extensions["argument"]


async def test_requests_beyond_the_limits_are_refused_naming_the_argument(graphql: GraphQL) -> None:
    staff = bearer(staff_token())
    codes = [f"C{n}" for n in range(MAX_CARRIERS + 1)]
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "carrierIds"),
        ({"ids": [], "codes": []}, "carrierIds"),
        ({"codes": codes}, "carrierCodes"),
        ({"codes": ["A1"], "features": [f"f.{n}" for n in range(MAX_FEATURES + 1)]}, "featureKeys"),
        ({"codes": ["A\x00"]}, "carrierCodes"),
        ({"codes": ["A1"], "features": ["x" * 201]}, "featureKeys"),
    ]
    for variables, argument in cases:
        body = await graphql(EFFECTIVE, variables, headers=staff)
        assert body["data"] == {"effectiveEnablements": None} or body["data"] is None, body
        assert error_of(body) == ("BAD_USER_INPUT", argument), variables
