"""Who sees what: every query root field for every kind of caller, tenant isolation, and `viewer`.

The world: organization O holds carriers A and B, organization P holds D, carrier C belongs to none.
Carrier A has one API key per scope and one with every scope (kA); C has a key of its own (kC); a
service key (no carrier, staff-issued) reads carriers and enablements everywhere. The
activity log holds one event each for A, B and C; the catalogue holds features F1 and F2.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from access.principal import SERVICE_SCOPES, Scope, with_implied
from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import schema
from tests import factories
from tests.factories import admin_token, bearer, staff_token

# --- the world ---------------------------------------------------------------------------------

# Every symbol a response can be reduced to, in the order results are compared in.
SYMBOLS = ("A", "B", "C", "D", "O", "P", "F1", "F2", "kA", "kC", "eA", "eB", "eC")
# The ids `node(id:)` and `nodes(ids:)` are asked about; `missing` never existed.
PROBES = ("A", "B", "C", "O", "P", "F1", "kA", "kC", "eA", "eB", "eC", "missing")
SCOPES = tuple(scope.value for scope in Scope)
CALLERS = (
    "anonymous",
    *(f"key:{scope}" for scope in SCOPES),
    "key:all",
    "key:service",
    "admin:A",
    "admin:O",
    "staff",
)


@dataclass(frozen=True)
class World:
    ids: Mapping[str, str]  # symbol → global id
    codes: Mapping[str, str]  # carrier symbol → code
    organization_names: Mapping[str, str]  # organization symbol → name
    organization_ids: Mapping[str, uuid.UUID]  # organization symbol → row id
    carrier_ids: Mapping[str, uuid.UUID]  # carrier symbol → row id
    key_secrets: Mapping[str, str]  # "all", a scope, or "C" → secret
    key_ids: Mapping[str, uuid.UUID]  # the same → row id
    descriptions: Mapping[str, str]  # the same → the key's description

    def symbol(self, global_id: str) -> str:
        """The symbol of a global id; "?" for an object from outside this test's world."""
        return next((name for name, gid in self.ids.items() if gid == global_id), "?")

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller == "staff":
            return bearer(staff_token())
        if caller == "admin:A":
            return bearer(admin_token(carriers=[self.codes["A"]]))
        if caller == "admin:O":
            return bearer(admin_token(organizations=[self.organization_ids["O"]]))
        kind, _, which = caller.partition(":")
        assert kind == "key", caller
        return bearer(self.key_secrets[which])

    def variables(self) -> dict[str, Any]:
        """Every variable any document of this module declares (undeclared ones are ignored)."""
        return {
            **{probe: self.ids[probe] for probe in PROBES},
            "ids": [self.ids[probe] for probe in PROBES],
            "codeA": self.codes["A"],
            "codeB": self.codes["B"].lower(),  # codes are case-insensitive
            "idC": self.ids["C"],
        }


async def _event(conn: Connection, carrier_id: uuid.UUID, organization_id: uuid.UUID | None) -> uuid.UUID:
    event_id: uuid.UUID = await conn.fetchval(
        """insert into activity_log (actor_kind, actor_id, actor_name, actor_is_staff, action,
                                     target_type, target_id, carrier_id, organization_id)
           values ('system', 'test', 'Test', true, 'carrier.rename', 'Carrier', $1, $1, $2)
           returning id""",
        carrier_id,
        organization_id,
    )
    return event_id


async def build_world(conn: Connection) -> World:
    """Inserts the world described in the module docstring (rolled back with the test)."""
    suffix = uuid.uuid4().hex[:8]
    names = {"O": f"Org O {suffix}", "P": f"Org P {suffix}"}
    orgs = {name: await factories.organization(conn, names[name]) for name in ("O", "P")}
    codes = {name: factories.unique_code(name) for name in ("A", "B", "C", "D")}
    carrier_org = {"A": orgs["O"], "B": orgs["O"], "C": None, "D": orgs["P"]}
    carriers = {
        name: await factories.carrier(conn, codes[name], organization_id=carrier_org[name])
        for name in ("A", "B", "C", "D")
    }
    features = {
        "F1": await factories.feature(conn, default=True),
        "F2": await factories.feature(conn),
    }
    await factories.set_carrier_enablement(conn, carriers["A"], features["F1"], False)
    await factories.set_organization_enablement(conn, orgs["O"], features["F2"], True)
    key_ids: dict[str, uuid.UUID] = {}
    secrets: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for which, carrier, scopes in [
        ("all", carriers["A"], SCOPES),
        *((scope, carriers["A"], (scope,)) for scope in SCOPES),
        ("C", carriers["C"], SCOPES),
        ("service", None, tuple(scope.value for scope in SERVICE_SCOPES)),
    ]:
        descriptions[which] = "Integration at C only" if which == "C" else f"Integration {which}"
        key_ids[which], secrets[which] = await factories.api_key(
            conn, carrier, scopes=scopes, description=descriptions[which]
        )
    # Organization O's key policy is shorter than its keys' lifetime, so that their policyGaps have data.
    await conn.execute(
        "insert into organization_key_policies (organization_id, max_lifetime_days, updated_by_kind) "
        "values ($1, 89, 'system')",
        orgs["O"],
    )
    # A refused use of kA, so that paths through its refusals have data.
    await conn.execute(
        """insert into api_key_refusals (key_id, minute, reason, first_at, last_at, refusals)
           values ($1, date_trunc('minute', now()), 'EXPIRED', date_trunc('minute', now()),
                   date_trunc('minute', now()), 1)""",
        key_ids["all"],
    )
    events = {
        "eA": await _event(conn, carriers["A"], orgs["O"]),
        "eB": await _event(conn, carriers["B"], orgs["O"]),
        "eC": await _event(conn, carriers["C"], None),
    }
    ids = {
        **{name: to_global_id("Carrier", row_id) for name, row_id in carriers.items()},
        **{name: to_global_id("Organization", row_id) for name, row_id in orgs.items()},
        **{name: to_global_id("Feature", row_id) for name, row_id in features.items()},
        "kA": to_global_id("ApiKey", key_ids["all"]),
        "kC": to_global_id("ApiKey", key_ids["C"]),
        **{name: to_global_id("ActivityEvent", row_id) for name, row_id in events.items()},
        "missing": to_global_id("Carrier", uuid.uuid4()),
    }
    return World(
        ids=ids,
        codes=codes,
        organization_names=names,
        organization_ids=orgs,
        carrier_ids=carriers,
        key_secrets=secrets,
        key_ids=key_ids,
        descriptions=descriptions,
    )


@pytest.fixture
async def world(conn: Connection) -> World:
    return await build_world(conn)


async def post(
    client: TestClient[Any, Any],
    query: str,
    variables: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """POST a document; field errors and all, a GraphQL answer is HTTP 200."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=dict(headers or {})
    )
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    return body


# --- the documents -----------------------------------------------------------------------------

VIEWER_KIND = "{ viewer { kind } }"
NODE = (
    "query Node("
    + ", ".join(f"${probe}: ID!" for probe in PROBES)
    + ") { "
    + " ".join(f"{probe}: node(id: ${probe}) {{ id }}" for probe in PROBES)
    + " }"
)
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
ORGANIZATIONS = "{ organizations(first: 100) { totalCount nodes { id } } }"
ORGANIZATION = """
query Organization($O: ID!, $P: ID!, $missing: ID!) {
  O: organization(id: $O) { id }
  P: organization(id: $P) { id }
  missing: organization(id: $missing) { id }
}
"""
CARRIERS = "{ carriers(first: 100) { totalCount nodes { id } } }"
CARRIER = """
query Carrier($codeA: String!, $codeB: String!, $idC: ID!) {
  A: carrier(code: $codeA) { id }
  B: carrier(code: $codeB) { id }
  C: carrier(id: $idC) { id }
}
"""
FEATURES = "{ features { id } }"
# Every key in reach, found by description (the world's other keys would read as "?").
API_KEYS = """{
  all: apiKeys(first: 10, filter: {search: "Integration all"}) { totalCount nodes { id } }
  c: apiKeys(first: 10, filter: {search: "at C only"}) { totalCount nodes { id } }
}"""
# The policy answers every caller who is signed in (its environment stands for the whole answer).
API_KEY_POLICY = "{ apiKeyPolicy { kind: environment } }"
# The request limits answer everyone, signed in or not (the page size stands for the whole answer).
LIMITS = "{ limits { kind: maxPageSize } }"
API_KEY = "query ApiKey($kA: ID!, $kC: ID!) { kA: apiKey(id: $kA) { id } kC: apiKey(id: $kC) { id } }"
ACTIVITY = "{ activity(first: 100) { totalCount nodes { id } } }"
EFFECTIVE_ENABLEMENTS = """
query Effective($A: ID!, $B: ID!, $C: ID!) {
  effectiveEnablements(carrierIds: [$A, $B, $C]) { carriers { id: carrierId } }
}
"""
# What a change of organization would do: A into P, B and A into none, C into O (each turns F2).
MEMBERSHIP_PREVIEW = """
query Preview($A: ID!, $B: ID!, $C: ID!, $O: ID!, $P: ID!) {
  A: membershipPreview(carrierId: $A, organizationId: $P) { carrier { id } }
  detachA: membershipPreview(carrierId: $A) { carrier { id } }
  B: membershipPreview(carrierId: $B) { carrier { id } }
  C: membershipPreview(carrierId: $C, organizationId: $O) { carrier { id } }
}
"""

# Requests to Support: the world has none; every person sees the (empty) list, a key sees none.
CHANGE_REQUESTS = "{ changeRequests { totalCount nodes { id } } }"
NO_REQUEST = to_global_id("ChangeRequest", uuid.UUID(int=0))
CHANGE_REQUEST = f'{{ changeRequest(id: "{NO_REQUEST}") {{ id }} }}'

DOCUMENTS = {
    "changeRequests": CHANGE_REQUESTS,
    "changeRequest": CHANGE_REQUEST,
    "viewer": VIEWER_KIND,
    "node": NODE,
    "nodes": NODES,
    "organizations": ORGANIZATIONS,
    "organization": ORGANIZATION,
    "carriers": CARRIERS,
    "carrier": CARRIER,
    "features": FEATURES,
    "apiKey": API_KEY,
    "apiKeyPolicy": API_KEY_POLICY,
    "limits": LIMITS,
    "apiKeys": API_KEYS,
    "activity": ACTIVITY,
    "effectiveEnablements": EFFECTIVE_ENABLEMENTS,
    "membershipPreview": MEMBERSHIP_PREVIEW,
}

# --- the matrix --------------------------------------------------------------------------------

UNAUTHENTICATED = "UNAUTHENTICATED"
RESTRICTED = "FORBIDDEN:restricted"


def needs(scope: Scope) -> str:
    return f"FORBIDDEN:{scope.name}"


def _row(
    *,
    anonymous: object = UNAUTHENTICATED,
    carrier_read: object,
    enablements_read: object,
    keys_read: object,
    keys_write: object,
    activity_read: object,
    all_scopes: object,
    service: object,
    admin_a: object,
    admin_o: object,
    staff: object,
) -> dict[str, object]:
    return {
        "anonymous": anonymous,
        "key:carrier:read": carrier_read,
        "key:enablements:read": enablements_read,
        "key:keys:read": keys_read,
        "key:keys:write": keys_write,
        "key:activity:read": activity_read,
        "key:all": all_scopes,
        "key:service": service,
        "admin:A": admin_a,
        "admin:O": admin_o,
        "staff": staff,
    }


def _scoped_row(scope: Scope, *, key_a: object, admin_o: object, staff: object) -> dict[str, object]:
    """A field an API key needs `scope` for: keys of A with it, or with a scope that includes it (KEYS_WRITE
    includes KEYS_READ), and the admin of A see `key_a`; the service key, if it holds `scope`, sees what
    staff see."""
    per_scope = {s: (key_a if scope in with_implied(frozenset({s})) else needs(scope)) for s in Scope}
    return _row(
        carrier_read=per_scope[Scope.CARRIER_READ],
        enablements_read=per_scope[Scope.ENABLEMENTS_READ],
        keys_read=per_scope[Scope.KEYS_READ],
        keys_write=per_scope[Scope.KEYS_WRITE],
        activity_read=per_scope[Scope.ACTIVITY_READ],
        all_scopes=key_a,
        service=staff if scope in SERVICE_SCOPES else needs(scope),
        admin_a=key_a,
        admin_o=admin_o,
        staff=staff,
    )


# What each caller gets: a tuple of the symbols of the objects returned, or the error it gets
# ("FORBIDDEN:<scope>" carries extensions.requiredScope, "FORBIDDEN:restricted" extensions.restricted).
NODE_ROW = _row(
    carrier_read=("A", "O"),
    enablements_read=("F1",),
    keys_read=("kA",),
    keys_write=("kA",),  # KEYS_WRITE includes KEYS_READ
    activity_read=("eA",),
    all_scopes=("A", "O", "F1", "kA", "eA"),
    service=("A", "B", "C", "O", "P", "F1"),
    admin_a=("A", "O", "F1", "kA", "eA"),
    admin_o=("A", "B", "O", "F1", "kA", "eA", "eB"),
    staff=("A", "B", "C", "O", "P", "F1", "kA", "kC", "eA", "eB", "eC"),
)
NOTHING_YET = _row(
    carrier_read=(),
    enablements_read=(),
    keys_read=(),
    keys_write=(),
    activity_read=(),
    all_scopes=(),
    service=(),
    admin_a=(),
    admin_o=(),
    staff=(),
)
EXPECTED: dict[str, dict[str, object]] = {
    "changeRequests": NOTHING_YET,
    "changeRequest": NOTHING_YET,
    "viewer": _row(
        anonymous=("ANONYMOUS",),
        carrier_read=("API_KEY",),
        enablements_read=("API_KEY",),
        keys_read=("API_KEY",),
        keys_write=("API_KEY",),
        activity_read=("API_KEY",),
        all_scopes=("API_KEY",),
        service=("API_KEY",),
        admin_a=("ADMIN",),
        admin_o=("ADMIN",),
        staff=("STAFF",),
    ),
    "node": NODE_ROW,
    "nodes": NODE_ROW,
    "organizations": _row(
        carrier_read=RESTRICTED,
        enablements_read=RESTRICTED,
        keys_read=RESTRICTED,
        keys_write=RESTRICTED,
        activity_read=RESTRICTED,
        all_scopes=RESTRICTED,
        service=RESTRICTED,
        admin_a=RESTRICTED,
        admin_o=RESTRICTED,
        staff=("O", "P"),
    ),
    "organization": _scoped_row(Scope.CARRIER_READ, key_a=("O",), admin_o=("O",), staff=("O", "P")),
    "carriers": _scoped_row(Scope.CARRIER_READ, key_a=("A",), admin_o=("A", "B"), staff=("A", "B", "C", "D")),
    "carrier": _scoped_row(Scope.CARRIER_READ, key_a=("A",), admin_o=("A", "B"), staff=("A", "B", "C")),
    "features": _scoped_row(
        Scope.ENABLEMENTS_READ, key_a=("F1", "F2"), admin_o=("F1", "F2"), staff=("F1", "F2")
    ),
    "apiKeyPolicy": _row(
        carrier_read=("test",),
        enablements_read=("test",),
        keys_read=("test",),
        keys_write=("test",),
        activity_read=("test",),
        all_scopes=("test",),
        service=("test",),
        admin_a=("test",),
        admin_o=("test",),
        staff=("test",),
    ),
    "limits": _row(
        anonymous=(100,),
        carrier_read=(100,),
        enablements_read=(100,),
        keys_read=(100,),
        keys_write=(100,),
        activity_read=(100,),
        all_scopes=(100,),
        service=(100,),
        admin_a=(100,),
        admin_o=(100,),
        staff=(100,),
    ),
    "apiKeys": _scoped_row(Scope.KEYS_READ, key_a=("kA",), admin_o=("kA",), staff=("kA", "kC")),
    "apiKey": _scoped_row(Scope.KEYS_READ, key_a=("kA",), admin_o=("kA",), staff=("kA", "kC")),
    "activity": _scoped_row(
        Scope.ACTIVITY_READ, key_a=("eA",), admin_o=("eA", "eB"), staff=("eA", "eB", "eC")
    ),
    "effectiveEnablements": _scoped_row(
        Scope.ENABLEMENTS_READ, key_a=("A",), admin_o=("A", "B"), staff=("A", "B", "C")
    ),
    # Null where the carrier or the organization is out of reach (A into P, for all but staff); each
    # change names its carrier, which takes CARRIER_READ.
    "membershipPreview": _row(
        carrier_read=needs(Scope.ENABLEMENTS_READ),
        enablements_read=needs(Scope.CARRIER_READ),
        keys_read=needs(Scope.ENABLEMENTS_READ),
        keys_write=needs(Scope.ENABLEMENTS_READ),
        activity_read=needs(Scope.ENABLEMENTS_READ),
        all_scopes=("A",),
        service=("A", "A", "B", "C"),
        admin_a=("A",),
        admin_o=("A", "B"),
        staff=("A", "A", "B", "C"),
    ),
}


def _error_label(error: Mapping[str, Any]) -> str:
    extensions = error.get("extensions") or {}
    label = str(extensions.get("code"))
    if extensions.get("restricted"):
        label += ":restricted"
    if "requiredScope" in extensions:
        label += f":{extensions['requiredScope']}"
    return label


def _symbols(value: Any, world: World) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [symbol for item in value for symbol in _symbols(item, world)]
    assert isinstance(value, dict), value
    if "id" in value:
        return [world.symbol(value["id"])]
    # effectiveEnablements lists carriers; each change of membershipPreview names one
    nested = next((key for key in ("carriers", "carrier") if key in value), None)
    if nested is not None:
        return _symbols(value[nested], world)
    if "nodes" in value:
        assert value["totalCount"] == len(value["nodes"]), value
        return _symbols(value["nodes"], world)
    return [value["kind"]]


def outcome(body: Mapping[str, Any], world: World) -> object:
    """What a caller got: its one kind of error, or the symbols of what it saw, in SYMBOLS order."""
    if body.get("errors"):
        labels = {_error_label(error) for error in body["errors"]}
        assert len(labels) == 1, body
        return labels.pop()
    symbols = _symbols(list(body["data"].values()), world)
    order = {**{symbol: index for index, symbol in enumerate(SYMBOLS)}, "?": len(SYMBOLS)}
    return tuple(sorted(symbols, key=lambda symbol: order.get(symbol, -1)))


def test_the_matrix_covers_every_query_root_field() -> None:
    root_fields = set(schema._schema.query_type.fields)  # type: ignore[union-attr]
    assert set(EXPECTED) == root_fields == set(DOCUMENTS)
    assert all(set(row) == set(CALLERS) for row in EXPECTED.values())


@pytest.mark.parametrize("field", list(EXPECTED))
async def test_what_each_caller_sees(client: TestClient[Any, Any], world: World, field: str) -> None:
    # One test per field, every caller in it: a failure shows the whole row at once.
    seen = {
        caller: outcome(await post(client, DOCUMENTS[field], world.variables(), world.headers(caller)), world)
        for caller in CALLERS
    }

    assert seen == EXPECTED[field]


# --- tenant isolation: another tenant's object is answered exactly as one that never existed ----

ONE_CARRIER_BY_ID = "query ($id: ID!) { carrier(id: $id) { id code } }"
ONE_CARRIER_BY_CODE = "query ($id: String!) { carrier(code: $id) { id code } }"
ONE_ORGANIZATION = "query ($id: ID!) { organization(id: $id) { id name } }"
ONE_API_KEY = "query ($id: ID!) { apiKey(id: $id) { id hint } }"
ONE_NODE = "query ($id: ID!) { node(id: $id) { id __typename } }"
SOME_NODES = "query ($id: [ID!]!) { nodes(ids: $id) { id __typename } }"

NEVER_TYPE = {"C": "Carrier", "D": "Carrier", "P": "Organization", "kC": "ApiKey", "eC": "ActivityEvent"}


@dataclass(frozen=True)
class Lookup:
    document: str
    field: str
    foreign: tuple[str, ...]  # the symbols of other tenants' objects asked about


LOOKUPS = {
    "carrier(id:)": Lookup(ONE_CARRIER_BY_ID, "carrier", ("C",)),
    "carrier(code:)": Lookup(ONE_CARRIER_BY_CODE, "carrier", ("C",)),
    "organization(id:)": Lookup(ONE_ORGANIZATION, "organization", ("P",)),
    "apiKey(id:)": Lookup(ONE_API_KEY, "apiKey", ("kC",)),
    "node(id:) carrier": Lookup(ONE_NODE, "node", ("C",)),
    "node(id:) organization": Lookup(ONE_NODE, "node", ("P",)),
    "node(id:) api key": Lookup(ONE_NODE, "node", ("kC",)),
    "node(id:) activity event": Lookup(ONE_NODE, "node", ("eC",)),
    "nodes(ids:)": Lookup(SOME_NODES, "nodes", ("C", "D", "P", "kC", "eC")),
}


def _argument(world: World, lookup: Lookup, foreign: bool) -> tuple[Any, list[str]]:
    """The variable value to send, and the strings in it to blank out before comparing."""
    if lookup.document is ONE_CARRIER_BY_CODE:
        code = world.codes[lookup.foreign[0]] if foreign else factories.unique_code("N")
        return code, [code]
    ids = [
        world.ids[symbol] if foreign else to_global_id(NEVER_TYPE[symbol], uuid.uuid4())
        for symbol in lookup.foreign
    ]
    return (ids if lookup.field == "nodes" else ids[0]), ids


def _blanked(body: Mapping[str, Any], values: list[str]) -> str:
    text = json.dumps(body, sort_keys=True)
    for value in values:
        text = text.replace(value, "<id>")
    return text


@pytest.mark.parametrize("lookup", list(LOOKUPS))
async def test_another_tenants_object_is_answered_as_one_that_never_existed(
    client: TestClient[Any, Any], world: World, lookup: str
) -> None:
    spec = LOOKUPS[lookup]
    empty = [None] * len(spec.foreign) if spec.field == "nodes" else None
    for caller in ("admin:A", "admin:O", "key:all"):
        # given
        headers = {**world.headers(caller), "X-Request-Id": "isolation"}
        foreign, foreign_values = _argument(world, spec, foreign=True)
        never, never_values = _argument(world, spec, foreign=False)

        # when
        foreign_body = await post(client, spec.document, {"id": foreign}, headers)
        never_body = await post(client, spec.document, {"id": never}, headers)

        # then
        assert foreign_body == {"data": {spec.field: empty}}, caller
        assert _blanked(foreign_body, foreign_values) == _blanked(never_body, never_values), caller


WRONG_TYPES = """
query ($o: ID!, $a: ID!) { carrier(id: $o) { id } apiKey(id: $a) { id } organization(id: $a) { id } }
"""


async def test_ids_of_another_type_are_answered_as_unknown(
    client: TestClient[Any, Any], world: World
) -> None:
    # An organization's id passed where a carrier's is expected names nothing, even for staff.
    body = await post(
        client,
        WRONG_TYPES,
        {"o": world.ids["O"], "a": world.ids["A"]},
        bearer(staff_token()),
    )

    assert body == {"data": {"carrier": None, "apiKey": None, "organization": None}}


ORGANIZATION_WITH_CARRIERS = """
query ($id: ID!) { organization(id: $id) { name carriers(first: 100) { totalCount nodes { code } } } }
"""


@pytest.mark.parametrize(
    ("caller", "visible"),
    [("admin:A", ["A"]), ("key:carrier:read", ["A"]), ("admin:O", ["A", "B"]), ("staff", ["A", "B"])],
)
async def test_an_organization_shows_only_the_carriers_in_reach(
    client: TestClient[Any, Any], world: World, caller: str, visible: list[str]
) -> None:
    body = await post(client, ORGANIZATION_WITH_CARRIERS, {"id": world.ids["O"]}, world.headers(caller))

    assert body == {
        "data": {
            "organization": {
                "name": world.organization_names["O"],
                "carriers": {
                    "totalCount": len(visible),
                    "nodes": [{"code": world.codes[symbol]} for symbol in visible],
                },
            }
        }
    }


CARRIER_CHILDREN = """
query ($id: ID!) {
  carrier(id: $id) {
    code
    organization { name }
    apiKeys(first: 100) { totalCount }
    activity(first: 100) { nodes { id } }
  }
}
"""


async def test_an_admin_of_an_organization_reaches_its_carriers_keys_and_activity(
    client: TestClient[Any, Any], world: World
) -> None:
    body = await post(client, CARRIER_CHILDREN, {"id": world.ids["B"]}, world.headers("admin:O"))

    assert body == {
        "data": {
            "carrier": {
                "code": world.codes["B"],
                "organization": {"name": world.organization_names["O"]},
                "apiKeys": {"totalCount": 0},
                "activity": {"nodes": [{"id": world.ids["eB"]}]},
            }
        }
    }


NESTED_WITH_SCOPES = """
query ($id: ID!) {
  withEnablements: carrier(id: $id) { code enablements { effective } }
  withKeys: carrier(id: $id) { code apiKeys(first: 100) { totalCount } }
  withActivity: carrier(id: $id) { code activity(first: 100) { totalCount } }
}
"""


async def test_a_key_lacking_a_scope_gets_forbidden_on_nested_fields_too(
    client: TestClient[Any, Any], world: World
) -> None:
    body = await post(client, NESTED_WITH_SCOPES, {"id": world.ids["A"]}, world.headers("key:carrier:read"))

    # Each nested field is non-null, so its error takes its carrier (and only that one) with it.
    assert body["data"] == {"withEnablements": None, "withKeys": None, "withActivity": None}
    labels = {tuple(error["path"]): _error_label(error) for error in body["errors"]}
    assert labels == {
        ("withEnablements", "enablements"): "FORBIDDEN:ENABLEMENTS_READ",
        ("withKeys", "apiKeys"): "FORBIDDEN:KEYS_READ",
        ("withActivity", "activity"): "FORBIDDEN:ACTIVITY_READ",
    }
    for error in body["errors"]:
        assert "lacks the scope" in error["message"]


# --- viewer ------------------------------------------------------------------------------------

VIEWER = """
{
  viewer {
    kind id name email isStaff scopes canUseRestrictedFunctions restrictedFunctionsNotice reachesAllCarriers
  }
}
"""
VIEWER_REACH = "{ viewer { kind carriers { nodes { code } } organizations { nodes { name } } } }"


async def test_viewer_of_an_anonymous_caller(client: TestClient[Any, Any]) -> None:
    body = await post(client, VIEWER)

    assert "errors" not in body
    viewer = body["data"]["viewer"]
    notice = viewer.pop("restrictedFunctionsNotice")
    assert viewer == {
        "kind": "ANONYMOUS",
        "id": None,
        "name": None,
        "email": None,
        "isStaff": False,
        "scopes": [],
        "canUseRestrictedFunctions": False,
        "reachesAllCarriers": False,
    }
    assert "Contact Support" in notice


async def test_viewer_of_an_api_key(client: TestClient[Any, Any], world: World) -> None:
    body = await post(client, VIEWER, headers=world.headers("key:keys:read"))

    viewer = body["data"]["viewer"]
    assert viewer["kind"] == "API_KEY"
    assert viewer["id"] == str(world.key_ids["keys:read"])
    assert viewer["name"] == world.descriptions["keys:read"]
    assert viewer["scopes"] == ["KEYS_READ"]
    assert viewer["isStaff"] is False
    assert viewer["canUseRestrictedFunctions"] is False
    assert "Contact Support" in viewer["restrictedFunctionsNotice"]
    assert viewer["reachesAllCarriers"] is False


async def test_viewer_of_an_api_key_with_every_scope(client: TestClient[Any, Any], world: World) -> None:
    body = await post(
        client, VIEWER_REACH.replace("kind", "kind name scopes"), headers=world.headers("key:all")
    )

    assert body == {
        "data": {
            "viewer": {
                "kind": "API_KEY",
                "name": world.descriptions["all"],
                "scopes": sorted(scope.name for scope in Scope),
                "carriers": {"nodes": [{"code": world.codes["A"]}]},
                "organizations": {"nodes": [{"name": world.organization_names["O"]}]},
            }
        }
    }


@pytest.mark.parametrize(
    ("caller", "carriers", "organizations"),
    [("admin:A", ["A"], ["O"]), ("admin:O", ["A", "B"], ["O"])],
)
async def test_viewer_of_an_administrator(
    client: TestClient[Any, Any], world: World, caller: str, carriers: list[str], organizations: list[str]
) -> None:
    body = await post(client, VIEWER_REACH, headers=world.headers(caller))

    assert body == {
        "data": {
            "viewer": {
                "kind": "ADMIN",
                "carriers": {"nodes": [{"code": world.codes[symbol]} for symbol in carriers]},
                "organizations": {"nodes": [{"name": world.organization_names[o]} for o in organizations]},
            }
        }
    }
    details = (await post(client, VIEWER, headers=world.headers(caller)))["data"]["viewer"]
    assert details["canUseRestrictedFunctions"] is False
    assert "Contact Support" in details["restrictedFunctionsNotice"]
    assert details["reachesAllCarriers"] is False
    assert details["name"] == "Alex Admin"


async def test_viewer_of_staff(client: TestClient[Any, Any], world: World) -> None:
    body = await post(client, VIEWER, headers=world.headers("staff"))

    assert body == {
        "data": {
            "viewer": {
                "kind": "STAFF",
                "id": "staff-1",
                "name": "Sam Staff",
                "email": "sam@vendor.test",
                "isStaff": True,
                "scopes": sorted(scope.name for scope in Scope),
                "canUseRestrictedFunctions": True,
                "restrictedFunctionsNotice": None,
                "reachesAllCarriers": True,
            }
        }
    }
    reach = await post(client, VIEWER_REACH, headers=world.headers("staff"))
    codes = [node["code"] for node in reach["data"]["viewer"]["carriers"]["nodes"]]
    assert {world.codes[symbol] for symbol in ("A", "B", "C", "D")} <= set(codes)
