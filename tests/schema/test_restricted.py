"""@restricted: only platform staff may use these fields. Anyone else gets a FORBIDDEN field error, a
warning in the response's extensions (the frontend's banner) and a row in the activity log.

The schema-walking tests read `field_rules(schema)`, so a field marked tomorrow is covered tomorrow:
every restricted field is refused for an administrator and answered for staff, and every other field
is reachable by someone (staff at least). Query fields are called generically; a mutation needs a
document, one line in MUTATION_CALLS.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)

from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import schema
from schema.enforcement import AccessRule, field_rules
from tests.conftest import ClientFactory
from tests.schema.test_access_matrix import World, build_world, post

GRAPHQL = schema._schema
RULES = field_rules(schema)
ROOTS = {"Query", "Mutation"}

ORGANIZATIONS = "{ organizations(first: 100) { totalCount nodes { name } } }"
VIEWER_AND_ORGANIZATIONS = "{ viewer { kind canUseRestrictedFunctions } organizations { totalCount } }"
REFUSAL_ROWS = """
select actor_kind, actor_id, actor_name, actor_is_staff, action, outcome, carrier_id, reason, request_id,
       host(client_address) as client_address
from activity_log where request_id = $1
"""


@pytest.fixture
async def world(conn: Connection) -> World:
    built = await build_world(conn)
    # A request to Support, so that the walk reaches ChangeRequest's fields with data (staff see all).
    await conn.execute(
        """insert into change_requests (kind, proposed, summary, reason, carrier_ids, requested_by_kind,
                                        requested_by_id, expires_at)
           values ('detach_carrier', '{}', 'Take A out of its organization', 'walk', $1, 'admin', 'x',
                   now() + interval '1 day')""",
        [built.carrier_ids["A"]],
    )
    return built


def _refusal_of(body: Mapping[str, Any], path: list[str]) -> Mapping[str, Any]:
    """The one error at `path` (list indexes ignored)."""
    errors = [e for e in body.get("errors") or [] if [p for p in e["path"] if isinstance(p, str)] == path]
    assert len(errors) == 1, body
    error: Mapping[str, Any] = errors[0]
    return error


def assert_refused(body: Mapping[str, Any], coordinate: str, path: list[str]) -> None:
    """A FORBIDDEN error marked restricted at `path`, the field null, and the banner's warning."""
    error = _refusal_of(body, path)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["restricted"] is True
    assert error["extensions"]["field"] == coordinate
    assert "Contact Support" in error["message"]
    (warning,) = [w for w in body["extensions"]["warnings"] if w["field"] == coordinate]
    assert warning["code"] == "RESTRICTED_FUNCTION"
    assert "Contact Support" in warning["message"]


# --- Query.organizations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "actor_kind"),
    [("admin:A", "admin"), ("admin:O", "admin"), ("key:all", "api_key"), ("key:keys:write", "api_key")],
)
async def test_organizations_is_refused_to_anyone_but_staff(
    client: TestClient[Any, Any], conn: Connection, world: World, caller: str, actor_kind: str
) -> None:
    # given
    request_id = f"req-{uuid.uuid4().hex}"
    headers = {**world.headers(caller), "X-Request-Id": request_id}

    # when
    body = await post(client, ORGANIZATIONS, headers=headers)

    # then: null data, a FORBIDDEN error, the banner's warning
    assert body["data"] == {"organizations": None}
    (error,) = body["errors"]
    assert error["path"] == ["organizations"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["restricted"] is True
    assert "restricted function" in error["message"]
    assert "Contact Support" in error["message"]
    assert body["extensions"]["warnings"] == [
        {"code": "RESTRICTED_FUNCTION", "field": "Query.organizations", "message": error["message"]}
    ]
    # and: the attempt is in the activity log, with who, what, which request and from where
    (row,) = await conn.fetch(REFUSAL_ROWS, request_id)
    is_key = actor_kind == "api_key"
    expected_actor = str(world.key_ids[caller.removeprefix("key:")]) if is_key else "admin-1"
    assert dict(row) == {
        "actor_kind": actor_kind,
        "actor_id": expected_actor,
        "actor_name": world.descriptions[caller.removeprefix("key:")] if is_key else "Alex Admin",
        "actor_is_staff": False,
        "action": "query.organizations",
        "outcome": "refused",
        "carrier_id": world.carrier_ids["A"] if is_key else None,
        "reason": "restricted function: organization structure",
        "request_id": request_id,
        "client_address": "127.0.0.1",
    }


async def test_the_refusal_records_the_clients_address_behind_a_trusted_proxy(
    make_client: ClientFactory, conn: Connection, world: World
) -> None:
    # given
    client = await make_client(trusted_proxies="127.0.0.1/32")
    headers = {**world.headers("admin:A"), "X-Request-Id": "req-proxied", "X-Forwarded-For": "2001:db8::7"}

    # when
    body = await post(client, ORGANIZATIONS, headers=headers)

    # then
    assert body["data"] == {"organizations": None}
    (row,) = await conn.fetch(REFUSAL_ROWS, "req-proxied")
    assert row["client_address"] == "2001:db8::7"
    assert row["outcome"] == "refused"


async def test_staff_get_the_organizations_and_no_warning(
    client: TestClient[Any, Any], conn: Connection, world: World
) -> None:
    body = await post(client, ORGANIZATIONS, headers={**world.headers("staff"), "X-Request-Id": "req-staff"})

    assert "errors" not in body
    assert "warnings" not in body.get("extensions", {})
    names = [node["name"] for node in body["data"]["organizations"]["nodes"]]
    assert names == [world.organization_names["O"], world.organization_names["P"]]
    assert await conn.fetch(REFUSAL_ROWS, "req-staff") == []


async def test_anonymous_callers_are_told_to_sign_in_and_nothing_is_recorded(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    body = await post(client, ORGANIZATIONS, headers={"X-Request-Id": "req-anonymous"})

    assert body["data"] == {"organizations": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "warnings" not in body.get("extensions", {})
    assert await conn.fetch(REFUSAL_ROWS, "req-anonymous") == []


async def test_a_refusal_leaves_the_rest_of_the_response_alone(
    client: TestClient[Any, Any], world: World
) -> None:
    body = await post(client, VIEWER_AND_ORGANIZATIONS, headers=world.headers("admin:A"))

    assert body["data"] == {
        "viewer": {"kind": "ADMIN", "canUseRestrictedFunctions": False},
        "organizations": None,
    }
    assert [error["path"] for error in body["errors"]] == [["organizations"]]


async def test_the_warning_is_given_once_however_often_the_field_is_asked_for(
    client: TestClient[Any, Any], conn: Connection, world: World
) -> None:
    headers = {**world.headers("admin:A"), "X-Request-Id": "req-twice"}

    body = await post(
        client, "{ a: organizations { totalCount } b: organizations { totalCount } }", headers=headers
    )

    assert body["data"] == {"a": None, "b": None}
    assert len(body["errors"]) == 2
    assert [w["field"] for w in body["extensions"]["warnings"]] == ["Query.organizations"]
    (row,) = await conn.fetch("select outcome, after from activity_log where request_id = $1", "req-twice")
    assert row["outcome"] == "refused"
    assert row["after"] == {"refusedFields": [{"field": "Query.organizations", "times": 2}]}


# --- walking the schema --------------------------------------------------------------------------


@dataclass(frozen=True)
class MutationCall:
    """How to call one mutation: the document (no aliases) and its variables from the world."""

    document: str
    variables: Callable[[World], dict[str, Any]] = field(default=lambda world: {})


# One line per mutation: "Mutation.renameOrganization": MutationCall('mutation ($id: ID!) { ... }', ...).
# A restricted mutation without one is reported as skipped by the walk below.
def _ids(**names: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {variable: world.ids[symbol] for variable, symbol in names.items()}


MUTATION_CALLS: dict[str, MutationCall] = {
    "Mutation.approveChangeRequest": MutationCall(
        "mutation ($id: ID!) { approveChangeRequest(input: {id: $id}) { __typename } }", _ids(id="A")
    ),
    "Mutation.declineChangeRequest": MutationCall(
        'mutation ($id: ID!) { declineChangeRequest(input: {id: $id, answer: "no"}) { __typename } }',
        _ids(id="A"),
    ),
    "Mutation.createCarrier": MutationCall(
        'mutation { createCarrier(input: {code: "ZQX9", name: "Refused Rail"}) { __typename } }'
    ),
    "Mutation.updateCarrier": MutationCall(
        'mutation ($c: ID!) { updateCarrier(input: {id: $c, name: "Renamed"}) { __typename } }', _ids(c="A")
    ),
    "Mutation.createOrganization": MutationCall(
        'mutation { createOrganization(input: {name: "Refused Group"}) { __typename } }'
    ),
    "Mutation.attachCarrierToOrganization": MutationCall(
        "mutation ($c: ID!, $o: ID!) { attachCarrierToOrganization("
        "input: {carrierId: $c, organizationId: $o}) { __typename } }",
        _ids(c="C", o="O"),
    ),
    "Mutation.moveCarrierToOrganization": MutationCall(
        "mutation ($c: ID!, $o: ID!, $p: ID!) { moveCarrierToOrganization(input: {carrierId: $c,"
        " fromOrganizationId: $o, toOrganizationId: $p}) { __typename } }",
        _ids(c="A", o="O", p="P"),
    ),
    "Mutation.detachCarrierFromOrganization": MutationCall(
        "mutation ($c: ID!) { detachCarrierFromOrganization(input: {carrierId: $c}) { __typename } }",
        _ids(c="A"),
    ),
    "Mutation.renameOrganization": MutationCall(
        'mutation ($o: ID!) { renameOrganization(input: {id: $o, name: "Renamed Group"}) { __typename } }',
        _ids(o="O"),
    ),
    "Mutation.deleteOrganization": MutationCall(
        "mutation ($o: ID!) { deleteOrganization(input: {id: $o}) { __typename } }", _ids(o="P")
    ),
    "Mutation.setCarrierEnablement": MutationCall(
        "mutation ($c: ID!) { setCarrierEnablement(input: {carrierId: $c, featureKey: "
        '"inventory.waybills", state: ENABLED, reason: "test"}) { __typename } }',
        _ids(c="A"),
    ),
    "Mutation.setOrganizationEnablement": MutationCall(
        "mutation ($o: ID!) { setOrganizationEnablement(input: {organizationId: $o, featureKey: "
        '"inventory.waybills", state: DISABLED, reason: "test"}) { __typename } }',
        _ids(o="O"),
    ),
    "Mutation.setCarrierKeyPolicy": MutationCall(
        "mutation ($c: ID!) { setCarrierKeyPolicy(input: {carrierId: $c, maxLifetimeDays: 30}) "
        "{ __typename } }",
        _ids(c="A"),
    ),
    "Mutation.createFeature": MutationCall(
        'mutation { createFeature(input: {key: "test.refused", name: "Refused"}) { __typename } }'
    ),
    "Mutation.createApiKey": MutationCall(
        "mutation ($c: ID!) { createApiKey("
        'input: {carrierId: $c, description: "New", scopes: [CARRIER_READ]}) { __typename } }',
        _ids(c="A"),
    ),
    "Mutation.createServiceKey": MutationCall(
        'mutation { createServiceKey(input: {description: "Sync", scopes: [ENABLEMENTS_READ]})'
        " { __typename } }"
    ),
    "Mutation.updateApiKey": MutationCall(
        'mutation ($k: ID!) { updateApiKey(input: {id: $k, description: "Changed"}) { __typename } }',
        _ids(k="kA"),
    ),
    "Mutation.revokeApiKey": MutationCall(
        'mutation ($k: ID!) { revokeApiKey(input: {id: $k, reason: "test"}) { __typename } }', _ids(k="kC")
    ),
    "Mutation.rotateApiKey": MutationCall(
        "mutation ($k: ID!) { rotateApiKey(input: {id: $k, gracePeriodSeconds: 60}) { __typename } }",
        _ids(k="kA"),
    ),
    "Mutation.updateFeature": MutationCall(
        'mutation ($f: ID!) { updateFeature(input: {id: $f, name: "Renamed"}) { __typename } }', _ids(f="F1")
    ),
}


@dataclass(frozen=True)
class Step:
    """One level of selection on the way from the root to a type."""

    call: str  # `carriers(first: 1)`, or `node(id: $seed)`
    key: str  # the key of its value in the response
    on: str | None = None  # the type condition under an interface-typed field
    seed: str | None = None  # the world symbol bound to $seed


# The Node types, each reached through `node(id:)` with an object of the world that has data under it.
NODE_SEEDS = {"Carrier": "A", "Organization": "O", "Feature": "F1", "ApiKey": "kA", "ActivityEvent": "eA"}
# Root fields that answer only with arguments (none of them required in the schema), and their seed.
ROOT_STEPS = {
    "effectiveEnablements": Step(
        "effectiveEnablements(carrierIds: [$seed])", "effectiveEnablements", seed="A"
    ),
}


def _literal(type_: GraphQLInputType) -> str:
    """A value for a required argument: enough to get past validation to the access check."""
    inner = type_.of_type if is_non_null_type(type_) else type_
    if is_list_type(inner):
        return "[]"
    named = get_named_type(inner)
    if isinstance(named, GraphQLEnumType):
        return str(next(iter(named.values)))
    literals = {
        "ID": json.dumps(to_global_id("Carrier", uuid.UUID(int=0))),
        "String": '"x"',
        "Int": "1",
        "Float": "1.0",
        "Boolean": "false",
        # A day ago: a period from it (ApiKey.usage's since) is valid whatever its interval.
        "DateTime": json.dumps((datetime.now(UTC) - timedelta(days=1)).isoformat()),
    }
    assert named.name in literals, f"no placeholder for a required {named.name} argument: add one"
    return literals[named.name]


def _required(argument: GraphQLArgument) -> bool:
    return is_non_null_type(argument.type) and argument.default_value is Undefined


def call(name: str, gql_field: GraphQLField) -> str:
    """The field with its required arguments and a minimal selection (`__typename` for objects)."""
    required = [f"{arg}: {_literal(a.type)}" for arg, a in gql_field.args.items() if _required(a)]
    arguments = f"({', '.join(required)})" if required else ""
    selection = "" if is_leaf_type(get_named_type(gql_field.type)) else " { __typename }"
    return f"{name}{arguments}{selection}"


def find_routes() -> dict[str, tuple[Step, ...]]:
    """The shortest way from the query root to every object type reachable from it."""
    routes: dict[str, tuple[Step, ...]] = {"Query": ()}
    for type_name, symbol in NODE_SEEDS.items():
        routes[type_name] = (Step("node(id: $seed)", "node", on=type_name, seed=symbol),)
    queue = deque(routes)
    while queue:
        type_name = queue.popleft()
        gql_type = GRAPHQL.type_map[type_name]
        assert isinstance(gql_type, GraphQLObjectType)
        for name, gql_field in gql_type.fields.items():
            target = get_named_type(gql_field.type)
            if (
                not isinstance(target, GraphQLObjectType)
                or target.name in routes
                or any(_required(a) for a in gql_field.args.values())
            ):
                continue
            step = ROOT_STEPS.get(name, Step(name, name)) if type_name == "Query" else Step(name, name)
            routes[target.name] = (*routes[type_name], step)
            queue.append(target.name)
    return routes


ROUTES = find_routes()


@dataclass(frozen=True)
class Request:
    document: str
    variables: dict[str, Any]
    path: list[str]  # response keys down to the field


def request_for(rule: AccessRule, world: World) -> Request | None:
    """How to reach the field of `rule`; None for a mutation without a document or a type only
    mutations return."""
    type_name, field_name = rule.coordinate.split(".")
    if type_name == "Mutation":
        mutation = MUTATION_CALLS.get(rule.coordinate)
        if mutation is None:
            return None
        return Request(mutation.document, mutation.variables(world), [field_name])
    if type_name not in ROUTES:
        return None
    if type_name == "Query" and field_name in ROOT_STEPS:
        step = ROOT_STEPS[field_name]
        assert step.seed is not None
        document = f"query ($seed: ID!) {{ {step.call} {{ __typename }} }}"
        return Request(document, {"seed": world.ids[step.seed]}, [field_name])
    gql_type = GRAPHQL.type_map[type_name]
    assert isinstance(gql_type, GraphQLObjectType)
    route = ROUTES[type_name]
    text = call(field_name, gql_type.fields[field_name])
    for step in reversed(route):
        inner = f"... on {step.on} {{ {text} }}" if step.on else text
        text = f"{step.call} {{ {inner} }}"
    seeds = [step.seed for step in route if step.seed]
    if seeds:
        return Request(
            f"query ($seed: ID!) {{ {text} }}", {"seed": world.ids[seeds[0]]}, [*_keys(route), field_name]
        )
    return Request(f"{{ {text} }}", {}, [*_keys(route), field_name])


def _keys(route: tuple[Step, ...]) -> list[str]:
    return [step.key for step in route]


def parent_of(data: Any, path: list[str]) -> Mapping[str, Any]:
    """The object holding the last key of `path`; fails when the walk meets nothing (a vacuous pass)."""
    value = data
    for key in path[:-1]:
        assert isinstance(value, dict), (path, data)
        value = value[key]
        if isinstance(value, list):
            assert value, f"empty list at {key}: the world needs data there"
            value = value[0]
        assert value is not None, f"null at {key}: the world needs data there"
    assert isinstance(value, dict), (path, data)
    assert path[-1] in value, (path, data)
    return value


RESTRICTED = sorted(coordinate for coordinate, rule in RULES.items() if rule.restricted_reason)
ACCESS_ERRORS = {"FORBIDDEN", "UNAUTHENTICATED"}


def test_restricted_fields_are_nullable() -> None:
    # A refusal must not take the rest of the response with it.
    for coordinate in RESTRICTED:
        type_name, field_name = coordinate.split(".")
        gql_type = GRAPHQL.type_map[type_name]
        assert isinstance(gql_type, GraphQLObjectType)
        output: GraphQLOutputType = gql_type.fields[field_name].type
        assert not is_non_null_type(output), coordinate


def test_query_organizations_is_among_the_restricted_fields() -> None:
    # The walk below is only as good as the rules it reads.
    assert "Query.organizations" in RESTRICTED


@pytest.mark.parametrize("coordinate", RESTRICTED)
async def test_every_restricted_field_is_refused_for_an_administrator_and_answered_for_staff(
    client: TestClient[Any, Any], conn: Connection, world: World, coordinate: str
) -> None:
    # given
    rule = RULES[coordinate]
    request = request_for(rule, world)
    if request is None:
        pytest.skip(f"no document for {coordinate}: add a line to MUTATION_CALLS")
    request_id = f"req-{uuid.uuid4().hex}"

    # when
    refused = await post(
        client, request.document, request.variables, {**world.headers("admin:A"), "X-Request-Id": request_id}
    )
    answered = await post(client, request.document, request.variables, world.headers("staff"))

    # then: the administrator is refused, the attempt recorded
    assert refused["data"] is not None, refused
    assert parent_of(refused["data"], request.path)[request.path[-1]] is None
    assert_refused(refused, coordinate, request.path)
    rows = await conn.fetch(REFUSAL_ROWS, request_id)
    assert [(row["action"], row["outcome"], row["actor_kind"]) for row in rows] == [
        (rule.action, "refused", "admin")
    ]
    # and: staff get an answer, without a warning
    codes = {error.get("extensions", {}).get("code") for error in answered.get("errors") or []}
    assert not codes & {*ACCESS_ERRORS, None}, answered
    assert "warnings" not in answered.get("extensions", {})
    assert parent_of(answered["data"], request.path)[request.path[-1]] is not None


def _types_to_walk() -> list[str]:
    """The types reachable from the query root, and the mutation root (payload types are left to the
    mutations' own tests)."""
    return sorted({*ROUTES, "Mutation"} & {coordinate.split(".")[0] for coordinate in RULES})


@pytest.mark.parametrize("type_name", _types_to_walk())
async def test_every_unrestricted_field_is_reachable_by_staff(
    client: TestClient[Any, Any], world: World, type_name: str
) -> None:
    # given: each field of the type without @restricted, reached from the root on a path with data
    fields = [rule for coordinate, rule in RULES.items() if coordinate.startswith(f"{type_name}.")]
    requests = {rule.coordinate: request_for(rule, world) for rule in fields if not rule.restricted_reason}
    reachable = {coordinate: request for coordinate, request in requests.items() if request is not None}
    if not reachable:
        pytest.skip(f"{type_name} is only reached through mutations without a document in MUTATION_CALLS")

    # when
    problems: dict[str, object] = {}
    for coordinate, request in reachable.items():
        body = await post(client, request.document, request.variables, world.headers("staff"))
        codes = {error.get("extensions", {}).get("code") for error in body.get("errors") or []}
        if codes & ACCESS_ERRORS or None in codes:
            problems[coordinate] = body["errors"]
            continue
        # then: the field was resolved (its parent was not null), so the access check ran and let it by
        parent_of(body["data"], request.path)

    # then
    assert problems == {}


@pytest.mark.parametrize("aliases", [1, 7, 30])
async def test_any_number_of_refused_aliases_is_one_row(
    client: TestClient[Any, Any], conn: Connection, world: World, aliases: int
) -> None:
    request_id = f"req-aliases-{aliases}"
    document = "{ " + " ".join(f"a{i}: organizations {{ totalCount }}" for i in range(aliases)) + " }"

    body = await post(client, document, headers={**world.headers("admin:A"), "X-Request-Id": request_id})

    assert len(body["errors"]) == aliases
    rows = await conn.fetch("select after from activity_log where request_id = $1", request_id)
    assert [row["after"] for row in rows] == [
        {"refusedFields": [{"field": "Query.organizations", "times": aliases}]}
    ]
