"""Reading the graph's fields: root `carriers` filters, enablements, `node`/`nodes`, API key fields,
and per-request loaders."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from graphql import GraphQLObjectType

from access import keyformat
from access.tokens import mint_development_token
from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import schema
from tests import factories
from tests.conftest import ClientFactory, GraphQL
from tests.factories import admin_token, bearer, staff_token

STAFF = bearer(staff_token())

# ---------------------------------------------------------------------------------------------------
# Root `carriers` filters

CARRIERS = """
query Carriers($organizationId: ID, $attached: Boolean, $search: String) {
  carriers(organizationId: $organizationId, attached: $attached, search: $search, first: 100) {
    totalCount
    nodes { code name }
  }
}
"""


async def carrier_codes(graphql: GraphQL, **variables: Any) -> list[str]:
    body = await graphql(CARRIERS, variables, headers=STAFF)
    assert "errors" not in body, body["errors"]
    page = body["data"]["carriers"]
    codes = [n["code"] for n in page["nodes"]]
    assert page["totalCount"] == len(codes)
    return codes


async def test_carriers_of_one_organization_by_code(graphql: GraphQL, conn: Connection) -> None:
    # given: two organizations and an unattached carrier, inserted out of code order
    mine = await factories.organization(conn)
    other = await factories.organization(conn)
    codes = [factories.unique_code("F") for _ in range(3)]
    for code in reversed(codes):
        await factories.carrier(conn, code, organization_id=mine)
    await factories.carrier(conn, organization_id=other)
    await factories.carrier(conn)

    # when
    found = await carrier_codes(graphql, organizationId=to_global_id("Organization", mine))

    # then
    assert found == codes


async def test_carriers_of_an_organization_that_does_not_exist_are_none(
    graphql: GraphQL, conn: Connection
) -> None:
    await factories.carrier(conn, organization_id=await factories.organization(conn))

    assert await carrier_codes(graphql, organizationId=to_global_id("Organization", uuid.uuid4())) == []


async def test_carriers_attached_or_not(graphql: GraphQL, conn: Connection) -> None:
    # given: carriers whose names share a tag, two in an organization, one in none
    tag = factories.unique_code("Tag")
    org_id = await factories.organization(conn)
    attached = sorted(
        [
            await carrier_with_code(conn, f"{tag} attached one", org_id),
            await carrier_with_code(conn, f"{tag} attached two", org_id),
        ]
    )
    unattached = [await carrier_with_code(conn, f"{tag} on its own", None)]

    # when / then (search narrows to this test's carriers)
    assert await carrier_codes(graphql, search=tag, attached=True) == attached
    assert await carrier_codes(graphql, search=tag, attached=False) == unattached
    assert await carrier_codes(graphql, search=tag) == sorted(attached + unattached)
    assert (
        await carrier_codes(
            graphql, search=tag, attached=False, organizationId=to_global_id("Organization", org_id)
        )
        == []
    )


async def carrier_with_code(conn: Connection, name: str, org_id: uuid.UUID | None) -> str:
    code = factories.unique_code("A")
    await factories.carrier(conn, code, name=name, organization_id=org_id)
    return code


async def test_carriers_search_code_and_name_case_insensitively(graphql: GraphQL, conn: Connection) -> None:
    # given
    tag = factories.unique_code("")
    by_code = f"QW{tag}"
    by_name = factories.unique_code("N")
    await factories.carrier(conn, by_code, name="Plain Line")
    await factories.carrier(conn, by_name, name=f"Sunset Qw{tag} Railway")
    await factories.carrier(conn, name="Unrelated Railway")

    # when / then: the code matches in any case, and so does the name
    assert await carrier_codes(graphql, search=f"qw{tag}") == sorted([by_code, by_name])
    assert await carrier_codes(graphql, search=f"  w{tag.lower()}  ") == sorted([by_code, by_name])
    assert await carrier_codes(graphql, search="SUNSET QW") == [by_name]
    assert await carrier_codes(graphql, search=by_code[1:].lower()) == sorted([by_code, by_name])


@pytest.mark.parametrize(
    ("search", "matching", "decoy"),
    [
        pytest.param("100%", "Tariff 100% Rail", "Tariff 1005 Rail", id="percent"),
        pytest.param("a_b", "Route A_B Rail", "Route AXB Rail", id="underscore"),
        pytest.param("x\\y", "Line X\\Y Rail", "Line XY Rail", id="backslash"),
        pytest.param("%", "Half % Rail", "Half Rail", id="only-percent"),
    ],
)
async def test_carriers_search_takes_wildcards_literally(
    graphql: GraphQL, conn: Connection, search: str, matching: str, decoy: str
) -> None:
    match_code = factories.unique_code("W")
    await factories.carrier(conn, match_code, name=matching)
    await factories.carrier(conn, name=decoy)

    assert await carrier_codes(graphql, search=search) == [match_code]


@pytest.mark.parametrize(
    "organization_id",
    [
        pytest.param("not-an-id", id="garbage"),
        pytest.param(base64.b64encode(b"Organization:nope").decode(), id="not-a-uuid"),
        pytest.param(to_global_id("Carrier", uuid.uuid4()), id="a-carrier-id"),
    ],
)
async def test_a_malformed_organization_id_is_bad_user_input(graphql: GraphQL, organization_id: str) -> None:
    body = await graphql(CARRIERS, {"organizationId": organization_id}, headers=STAFF)

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["carriers"]
    assert "organizationId" in error["message"]


# ---------------------------------------------------------------------------------------------------
# Enablements

ENABLEMENT_FIELDS = """
  feature { key }
  state effective source updatedAt
  updatedBy { kind id name }
"""

CARRIER_ENABLEMENTS = f"""
query Enablements($id: ID!) {{ carrier(id: $id) {{ code enablements {{ {ENABLEMENT_FIELDS} }} }} }}
"""

ORGANIZATION_ENABLEMENTS = f"""
query Enablements($id: ID!) {{ organization(id: $id) {{ name enablements {{ {ENABLEMENT_FIELDS} }} }} }}
"""

FEATURE_KEYS = "query { features { key } }"


class Catalogue:
    """Features whose keys sort in another order than they were created in."""

    def __init__(self, tag: str) -> None:
        self.org_on = f"test.zulu{tag}"  # organization on; carriers inherit or override
        self.org_off = f"test.yankee{tag}"  # organization off
        self.default_on = f"test.alpha{tag}"  # no settings anywhere, on by default
        self.default_off = f"test.mike{tag}"  # no settings anywhere, off by default
        self.ids: dict[str, uuid.UUID] = {}

    async def insert(self, conn: Connection) -> None:
        for key, default in [
            (self.org_on, False),
            (self.org_off, True),
            (self.default_on, True),
            (self.default_off, False),
        ]:
            self.ids[key] = await factories.feature(conn, key, default=default)


def by_key(enablements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["feature"]["key"]: e for e in enablements}


def inherited(key: str, effective: bool, source: str) -> dict[str, Any]:
    return {
        "feature": {"key": key},
        "state": "INHERIT",
        "effective": effective,
        "source": source,
        "updatedAt": None,
        "updatedBy": None,
    }


def own_setting(enablement: dict[str, Any], key: str, on: bool, source: str) -> None:
    assert enablement["feature"] == {"key": key}
    assert enablement["state"] == ("ENABLED" if on else "DISABLED")
    assert enablement["effective"] is on
    assert enablement["source"] == source
    assert enablement["updatedAt"] is not None
    assert enablement["updatedBy"] == {"kind": "SYSTEM", "id": "test", "name": None}


async def catalogue_keys(graphql: GraphQL) -> list[str]:
    body = await graphql(FEATURE_KEYS, headers=STAFF)
    keys = [f["key"] for f in body["data"]["features"]]
    assert keys == sorted(keys)
    return keys


async def test_carrier_enablements_in_an_organization(graphql: GraphQL, conn: Connection) -> None:
    # given: the organization turns one feature on and another off; the carrier overrides the first
    features = Catalogue(factories.unique_code("").lower())
    await features.insert(conn)
    org_id = await factories.organization(conn)
    await factories.set_organization_enablement(conn, org_id, features.ids[features.org_on], True)
    await factories.set_organization_enablement(conn, org_id, features.ids[features.org_off], False)
    inheriting = await factories.carrier(conn, organization_id=org_id)
    overriding = await factories.carrier(conn, organization_id=org_id)
    await factories.set_carrier_enablement(conn, overriding, features.ids[features.org_on], False)
    await factories.set_carrier_enablement(conn, overriding, features.ids[features.org_off], True)

    # when
    keys = await catalogue_keys(graphql)
    inheriting_body = await graphql(
        CARRIER_ENABLEMENTS, {"id": to_global_id("Carrier", inheriting)}, headers=STAFF
    )
    overriding_body = await graphql(
        CARRIER_ENABLEMENTS, {"id": to_global_id("Carrier", overriding)}, headers=STAFF
    )

    # then: one enablement per catalogue feature, by key
    inheriting_list = inheriting_body["data"]["carrier"]["enablements"]
    overriding_list = overriding_body["data"]["carrier"]["enablements"]
    assert [e["feature"]["key"] for e in inheriting_list] == keys
    assert [e["feature"]["key"] for e in overriding_list] == keys
    # inheriting: the organization's setting, else the feature's default
    found = by_key(inheriting_list)
    assert found[features.org_on] == inherited(features.org_on, True, "ORGANIZATION")
    assert found[features.org_off] == inherited(features.org_off, False, "ORGANIZATION")
    assert found[features.default_on] == inherited(features.default_on, True, "DEFAULT")
    assert found[features.default_off] == inherited(features.default_off, False, "DEFAULT")
    # overriding: the carrier's own setting wins either way
    found = by_key(overriding_list)
    own_setting(found[features.org_on], features.org_on, False, "CARRIER")
    own_setting(found[features.org_off], features.org_off, True, "CARRIER")
    assert found[features.default_on] == inherited(features.default_on, True, "DEFAULT")


async def test_unattached_carrier_enablements(graphql: GraphQL, conn: Connection) -> None:
    # given: an organization elsewhere turns features on; this carrier is in no organization
    features = Catalogue(factories.unique_code("").lower())
    await features.insert(conn)
    elsewhere = await factories.organization(conn)
    await factories.set_organization_enablement(conn, elsewhere, features.ids[features.org_on], True)
    await factories.set_organization_enablement(conn, elsewhere, features.ids[features.default_off], True)
    carrier_id = await factories.carrier(conn)
    await factories.set_carrier_enablement(conn, carrier_id, features.ids[features.org_on], True)
    await factories.set_carrier_enablement(conn, carrier_id, features.ids[features.default_on], False)

    # when
    body = await graphql(CARRIER_ENABLEMENTS, {"id": to_global_id("Carrier", carrier_id)}, headers=STAFF)

    # then: the carrier's own setting, else the default
    enablements = body["data"]["carrier"]["enablements"]
    assert [e["feature"]["key"] for e in enablements] == await catalogue_keys(graphql)
    found = by_key(enablements)
    own_setting(found[features.org_on], features.org_on, True, "CARRIER")
    own_setting(found[features.default_on], features.default_on, False, "CARRIER")
    assert found[features.org_off] == inherited(features.org_off, True, "DEFAULT")
    assert found[features.default_off] == inherited(features.default_off, False, "DEFAULT")


async def test_organization_enablements(graphql: GraphQL, conn: Connection) -> None:
    # given
    features = Catalogue(factories.unique_code("").lower())
    await features.insert(conn)
    org_id = await factories.organization(conn)
    await factories.set_organization_enablement(conn, org_id, features.ids[features.org_on], True)
    await factories.set_organization_enablement(conn, org_id, features.ids[features.org_off], False)
    # a carrier's override does not show at organization level
    carrier_id = await factories.carrier(conn, organization_id=org_id)
    await factories.set_carrier_enablement(conn, carrier_id, features.ids[features.default_off], True)

    # when
    body = await graphql(
        ORGANIZATION_ENABLEMENTS, {"id": to_global_id("Organization", org_id)}, headers=STAFF
    )

    # then
    enablements = body["data"]["organization"]["enablements"]
    assert [e["feature"]["key"] for e in enablements] == await catalogue_keys(graphql)
    found = by_key(enablements)
    own_setting(found[features.org_on], features.org_on, True, "ORGANIZATION")
    own_setting(found[features.org_off], features.org_off, False, "ORGANIZATION")
    assert found[features.default_on] == inherited(features.default_on, True, "DEFAULT")
    assert found[features.default_off] == inherited(features.default_off, False, "DEFAULT")


# ---------------------------------------------------------------------------------------------------
# node(id:) and nodes(ids:)

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Carrier { code }
    ... on Organization { name }
    ... on Feature { key }
    ... on ApiKey { hint }
    ... on ActivityEvent { action }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on Carrier { code }
    ... on Organization { name }
    ... on Feature { key }
    ... on ApiKey { hint }
    ... on ActivityEvent { action }
  }
}
"""


async def insert_key(
    conn: Connection,
    carrier_id: uuid.UUID,
    *,
    created_at: datetime,
    expires_at: datetime | None,
    revoked_at: datetime | None = None,
    scopes: tuple[str, ...] = ("carrier:read",),
) -> tuple[uuid.UUID, keyformat.IssuedSecret]:
    """An API key row (factories.api_key fails to prepare: its $7 is both a timestamptz and text)."""
    issued = keyformat.generate("test")
    key_id: uuid.UUID = await conn.fetchval(
        """insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes,
                                 created_at, expires_at, created_by_kind, created_by_id, created_by_name,
                                 revoked_at, revoked_by_kind, revoked_by_id, revoked_reason)
           values ($1, 'Fields test key', $2, $3, 'test', $4, $5, $6, 'admin', 'admin-7', 'Ada Admin',
                   $7, case when $7::timestamptz is null then null else 'staff' end,
                   case when $7::timestamptz is null then null else 'staff-1' end,
                   case when $7::timestamptz is null then null else 'leaked' end)
           returning id""",
        carrier_id,
        issued.secret_hash,
        issued.hint,
        list(scopes),
        created_at,
        expires_at,
        revoked_at,
    )
    return key_id, issued


async def insert_activity(conn: Connection, carrier_id: uuid.UUID | None) -> uuid.UUID:
    event_id: uuid.UUID = await conn.fetchval(
        """insert into activity_log (actor_kind, actor_id, actor_name, actor_is_staff, action,
                                     target_type, target_id, carrier_id)
           values ('staff', 'staff-1', 'Sam Staff', true, 'carrier.rename', 'Carrier', $1, $1)
           returning id""",
        carrier_id,
    )
    return event_id


async def one_of_each(conn: Connection) -> dict[str, tuple[str, dict[str, Any]]]:
    """A global id and the expected `node` answer for each type."""
    org_name = f"Nodes {uuid.uuid4().hex[:8]}"
    org_id = await factories.organization(conn, org_name)
    code = factories.unique_code("N")
    carrier_id = await factories.carrier(conn, code, organization_id=org_id)
    feature_key = f"test.node{factories.unique_code('').lower()}"
    feature_id = await factories.feature(conn, feature_key)
    now: datetime = await conn.fetchval("select now()")
    key_id, issued = await insert_key(conn, carrier_id, created_at=now, expires_at=now + timedelta(days=9))
    event_id = await insert_activity(conn, carrier_id)
    entries: dict[str, tuple[uuid.UUID, str, Any]] = {
        "Carrier": (carrier_id, "code", code),
        "Organization": (org_id, "name", org_name),
        "Feature": (feature_id, "key", feature_key),
        "ApiKey": (key_id, "hint", issued.hint),
        "ActivityEvent": (event_id, "action", "carrier.rename"),
    }
    return {
        type_name: (
            to_global_id(type_name, raw_id),
            {"__typename": type_name, "id": to_global_id(type_name, raw_id), field: value},
        )
        for type_name, (raw_id, field, value) in entries.items()
    }


@pytest.mark.parametrize("type_name", ["Carrier", "Organization", "Feature", "ApiKey", "ActivityEvent"])
async def test_node_finds_each_type(graphql: GraphQL, conn: Connection, type_name: str) -> None:
    global_id, expected = (await one_of_each(conn))[type_name]

    body = await graphql(NODE, {"id": global_id}, headers=STAFF)

    assert "errors" not in body, body["errors"]
    assert body["data"]["node"] == expected


def garbage_ids(raw_id: uuid.UUID) -> list[str]:
    return [
        "",
        "garbage",
        "not base64 at all!",
        "é",
        base64.b64encode(b"Carrier:").decode(),
        base64.b64encode(b"Carrier:not-a-uuid").decode(),
        base64.b64encode(f"Nonsense:{raw_id}".encode()).decode(),
        base64.b64encode(f"carrier:{raw_id}".encode()).decode(),
        base64.b64encode(b"\xff\xfe\xfd").decode(),
        str(raw_id),
    ]


async def test_garbage_and_wrong_type_ids_are_null(graphql: GraphQL, conn: Connection) -> None:
    # given: a carrier, and ids that do not name it
    carrier_id = await factories.carrier(conn)
    wrong_type = [
        to_global_id(other, carrier_id) for other in ("Organization", "Feature", "ApiKey", "ActivityEvent")
    ]
    unknown = [to_global_id("Carrier", uuid.uuid4())]

    for global_id in garbage_ids(carrier_id) + wrong_type + unknown:
        # when
        body = await graphql(NODE, {"id": global_id}, headers=STAFF)

        # then
        assert body == {"data": {"node": None}}, global_id


async def test_nodes_answer_in_order_with_nulls(graphql: GraphQL, conn: Connection) -> None:
    # given
    each = await one_of_each(conn)
    carrier_global_id, carrier_node = each["Carrier"]
    wanted = [
        each["ActivityEvent"],
        ("garbage", None),
        each["ApiKey"],
        each["Carrier"],
        (to_global_id("Organization", uuid.uuid4()), None),
        each["Feature"],
        each["Organization"],
        (to_global_id("Feature", uuid.uuid4()), None),
        each["Carrier"],
    ]

    # when
    body = await graphql(NODES, {"ids": [global_id for global_id, _ in wanted]}, headers=STAFF)

    # then
    assert "errors" not in body, body["errors"]
    assert body["data"]["nodes"] == [expected for _, expected in wanted]
    assert carrier_node["id"] == carrier_global_id


async def test_nodes_refuses_more_ids_than_max_ids_per_request(make_client: ClientFactory) -> None:
    client = await make_client(max_ids_per_request=3)
    ids = [to_global_id("Carrier", uuid.uuid4()) for _ in range(4)]

    response = await client.post("/graphql", json={"query": NODES, "variables": {"ids": ids}}, headers=STAFF)

    assert response.status == 200
    (error,) = (await response.json())["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["limit"] == 3
    assert "MAX_IDS_PER_REQUEST" in error["message"]


# ---------------------------------------------------------------------------------------------------
# API key fields

API_KEY_FIELDS = """
  id description hint environment scopes ipAllowlist expiresAt status createdAt
  createdBy { kind id name }
  revokedAt revokedBy { kind id name } revocationReason lastUsedAt lastUsedAddress version
  carrier { code }
  rotatedFrom { id hint status }
"""

CARRIER_KEYS = f"""
query Keys($id: ID!, $status: ApiKeyStatus) {{
  carrier(id: $id) {{
    apiKeys(filter: {{status: $status}}, first: 50) {{
      totalCount nodes {{ {API_KEY_FIELDS} }} edges {{ cursor }}
    }}
  }}
}}
"""

ONE_KEY = f"""
query Key($id: ID!) {{
  apiKey(id: $id) {{ {API_KEY_FIELDS} }}
  node(id: $id) {{ ... on ApiKey {{ {API_KEY_FIELDS} }} }}
}}
"""

CLOCK = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class KeyRing:
    """Four keys of one carrier, each reaching another status at another time."""

    async def insert(self, conn: Connection) -> None:
        self.carrier_id = await factories.carrier(conn)
        created = CLOCK - timedelta(days=30)
        self.long, _ = await insert_key(
            conn, self.carrier_id, created_at=created, expires_at=CLOCK + timedelta(days=10)
        )
        self.short, _ = await insert_key(
            conn,
            self.carrier_id,
            created_at=created + timedelta(seconds=1),
            expires_at=CLOCK + timedelta(days=1),
        )
        self.revoked, _ = await insert_key(
            conn,
            self.carrier_id,
            created_at=created + timedelta(seconds=2),
            expires_at=CLOCK + timedelta(days=60),
            revoked_at=CLOCK - timedelta(days=1),
        )
        # rotated: revoked at the end of its grace period, two days from the clock
        self.rotated, _ = await insert_key(
            conn,
            self.carrier_id,
            created_at=created + timedelta(seconds=3),
            expires_at=CLOCK + timedelta(days=60),
            revoked_at=CLOCK + timedelta(days=2),
        )

    def names(self) -> dict[str, str]:
        return {
            to_global_id("ApiKey", key_id): name
            for name, key_id in [
                ("long", self.long),
                ("short", self.short),
                ("revoked", self.revoked),
                ("rotated", self.rotated),
            ]
        }


@pytest.mark.parametrize(
    ("days", "statuses"),
    [
        pytest.param(
            0, {"long": "ACTIVE", "short": "ACTIVE", "revoked": "REVOKED", "rotated": "ACTIVE"}, id="now"
        ),
        pytest.param(
            1, {"long": "ACTIVE", "short": "EXPIRED", "revoked": "REVOKED", "rotated": "ACTIVE"}, id="1d"
        ),
        pytest.param(
            5, {"long": "ACTIVE", "short": "EXPIRED", "revoked": "REVOKED", "rotated": "REVOKED"}, id="5d"
        ),
        pytest.param(
            20, {"long": "EXPIRED", "short": "EXPIRED", "revoked": "REVOKED", "rotated": "REVOKED"}, id="20d"
        ),
    ],
)
async def test_key_status_follows_the_clock_and_filters_the_list(
    make_client: ClientFactory, conn: Connection, days: int, statuses: dict[str, str]
) -> None:
    # given: the clock moved by `days`
    keys = KeyRing()
    await keys.insert(conn)
    names = keys.names()
    moment = CLOCK + timedelta(days=days)
    client = await make_client(now=lambda: moment)
    variables = {"id": to_global_id("Carrier", keys.carrier_id)}
    headers = staff_at(moment)

    # when
    everything = await post(client, CARRIER_KEYS, variables, headers)
    by_status = {
        status: await post(client, CARRIER_KEYS, {**variables, "status": status}, headers)
        for status in ("ACTIVE", "EXPIRED", "REVOKED")
    }

    # then: each key's status, and each status filter lists exactly the keys with that status (oldest first)
    listed = everything["data"]["carrier"]["apiKeys"]["nodes"]
    assert {names[k["id"]]: k["status"] for k in listed} == statuses
    for status, body in by_status.items():
        page = body["data"]["carrier"]["apiKeys"]
        expected = [name for name in ("long", "short", "revoked", "rotated") if statuses[name] == status]
        assert [names[k["id"]] for k in page["nodes"]] == expected, status
        assert page["totalCount"] == len(expected)
        assert {k["status"] for k in page["nodes"]} <= {status}


def staff_at(moment: datetime) -> dict[str, str]:
    """A staff token issued at `moment`: the app judges tokens by its own (moved) clock."""
    token = mint_development_token(
        factories.TOKENS, subject="staff-1", name="Sam Staff", staff=True, now=moment.timestamp()
    )
    return bearer(token)


async def post(
    client: TestClient[Any, Any],
    document: str,
    variables: dict[str, Any],
    headers: dict[str, str] = STAFF,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    assert "errors" not in body, body["errors"]
    return body


async def test_key_fields_and_never_the_secret(client: TestClient[Any, Any], conn: Connection) -> None:
    # given: a key that replaced another in a rotation, with an allowlist and a recorded use
    carrier_id = await factories.carrier(conn)
    now: datetime = await conn.fetchval("select now()")
    old_id, old = await insert_key(
        conn,
        carrier_id,
        created_at=now - timedelta(days=3),
        expires_at=now + timedelta(days=30),
        revoked_at=now + timedelta(hours=1),
    )
    key_id, issued = await insert_key(
        conn,
        carrier_id,
        created_at=now,
        expires_at=now + timedelta(days=30),
        scopes=("keys:read", "carrier:read"),
    )
    await conn.execute(
        """update api_keys set rotated_from_id = $2, ip_allowlist = '{10.0.0.0/8,2001:db8::/32}',
                               last_used_at = $3, last_used_address = '10.1.2.3'
           where id = $1""",
        key_id,
        old_id,
        now,
    )
    global_id = to_global_id("ApiKey", key_id)

    # when
    responses = [
        await client.post(
            "/graphql",
            json={"query": CARRIER_KEYS, "variables": {"id": to_global_id("Carrier", carrier_id)}},
            headers=STAFF,
        ),
        await client.post("/graphql", json={"query": ONE_KEY, "variables": {"id": global_id}}, headers=STAFF),
    ]
    texts = [await r.text() for r in responses]

    # then: the fields
    body = await responses[1].json()
    assert "errors" not in body, body["errors"]
    key = body["data"]["apiKey"]
    assert body["data"]["node"] == key
    assert key["id"] == global_id
    assert key["hint"] == issued.hint
    assert key["hint"].startswith("cak_test_")
    assert key["hint"].endswith(issued.secret[-4:])
    assert key["description"] == "Fields test key"
    assert key["environment"] == "test"
    assert sorted(key["scopes"]) == ["CARRIER_READ", "KEYS_READ"]
    assert key["ipAllowlist"] == ["10.0.0.0/8", "2001:db8::/32"]
    assert key["status"] == "ACTIVE"
    assert key["createdBy"] == {"kind": "ADMIN", "id": "admin-7", "name": "Ada Admin"}
    assert key["revokedAt"] is None
    assert key["revokedBy"] is None
    assert key["revocationReason"] is None
    assert key["lastUsedAt"] is not None
    assert key["lastUsedAddress"] == "10.1.2.3"
    assert key["version"] == 1
    assert key["carrier"] is not None
    assert key["rotatedFrom"] == {"id": to_global_id("ApiKey", old_id), "hint": old.hint, "status": "ACTIVE"}
    listed = (await responses[0].json())["data"]["carrier"]["apiKeys"]["nodes"]
    assert [k["id"] for k in listed] == [to_global_id("ApiKey", old_id), global_id]
    assert listed[0]["revokedBy"] == {"kind": "STAFF", "id": "staff-1", "name": None}
    assert listed[0]["revocationReason"] == "leaked"
    # and never a secret nor its hash, in any form
    for text in texts:
        for secret in (issued, old):
            body_part = secret.secret[len("cak_test_") : -4]
            for needle in (
                secret.secret,
                body_part,
                body_part[:16],
                secret.secret_hash.hex(),
                secret.secret_hash.hex().upper(),
                base64.b64encode(secret.secret_hash).decode(),
                base64.urlsafe_b64encode(secret.secret_hash).decode().rstrip("="),
            ):
                assert needle not in text


def test_the_api_key_type_has_no_secret_field() -> None:
    api_key = schema._schema.type_map["ApiKey"]
    assert isinstance(api_key, GraphQLObjectType)
    names = {name.lower() for name in api_key.fields}
    assert not {name for name in names if "secret" in name or "hash" in name}


# ---------------------------------------------------------------------------------------------------
# Loaders are per request

WHAT_I_SEE = """
query Mine($mine: ID!, $theirs: ID!, $theirCode: String!) {
  carriers { nodes { code } }
  mine: node(id: $mine) { ... on Carrier { code } }
  theirs: node(id: $theirs) { ... on Carrier { code } }
  byCode: carrier(code: $theirCode) { code }
  theirKeys: nodes(ids: [$theirs]) { id }
}
"""


async def test_loaders_belong_to_one_request(graphql: GraphQL, conn: Connection) -> None:
    # given: two administrators, of one carrier each
    code_a, code_b = factories.unique_code("LA"), factories.unique_code("LB")
    carrier_a = to_global_id("Carrier", await factories.carrier(conn, code_a))
    carrier_b = to_global_id("Carrier", await factories.carrier(conn, code_b))
    admin_a = bearer(admin_token(carriers=[code_a], subject="admin-a"))
    admin_b = bearer(admin_token(carriers=[code_b], subject="admin-b"))

    # when: they read, in turns, each asking for both carriers
    answers = []
    for headers, mine, theirs, their_code in [
        (admin_a, carrier_a, carrier_b, code_b),
        (admin_b, carrier_b, carrier_a, code_a),
        (admin_a, carrier_a, carrier_b, code_b),
    ]:
        body = await graphql(
            WHAT_I_SEE, {"mine": mine, "theirs": theirs, "theirCode": their_code}, headers=headers
        )
        assert "errors" not in body, body["errors"]
        answers.append(body["data"])

    # then: each sees only their own carrier, whatever the previous request loaded
    for data, own_code in zip(answers, [code_a, code_b, code_a], strict=True):
        assert data == {
            "carriers": {"nodes": [{"code": own_code}]},
            "mine": {"code": own_code},
            "theirs": None,
            "byCode": None,
            "theirKeys": [None],
        }
