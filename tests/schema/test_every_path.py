"""Scopes hold on every path, not only at the root: for each API key of the access matrix's world, every
query root field is asked for everything below it, four levels deep (every field of every type on the
way, lists included, __typename everywhere), and the answer is walked: no object of a type whose
@requiresScope the key lacks, and no event contents (`before`, `after`) the key may not read, reaches
it. The documents are built from the schema itself, so a field added tomorrow is walked tomorrow.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)

from access.activity_scopes import content_scopes
from access.principal import Scope, with_implied
from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import schema
from schema.enforcement import type_scopes
from tests.conftest import ClientFactory
from tests.schema.test_access_matrix import SCOPES, World, build_world, post

GRAPHQL = schema._schema
DEPTH = 4
PAGE = "(first: 3)"
# Arguments for the root fields that need some (the world's objects); a root field with a required
# argument missing here fails the test below, so that it is walked too.
ROOT_ARGUMENTS = {
    "node": '(id: "{A}")',
    "nodes": '(ids: ["{A}", "{O}", "{F1}", "{kA}", "{eA}", "{eK}"])',
    "organization": '(id: "{O}")',
    "carrier": '(code: "{codeA}")',
    "apiKey": '(id: "{kA}")',
    "effectiveEnablements": '(carrierIds: ["{A}"])',
    "membershipPreview": '(carrierId: "{A}")',
    "changeRequest": '(id: "{A}")',
}
CALLERS = [*(f"key:{scope}" for scope in SCOPES), "key:all"]
# The walk's documents are large on purpose.
UNLIMITED = {
    "max_query_depth": 50,
    "max_query_cost": 10**12,
    "max_tokens": 1_000_000,
    "max_body_bytes": 10**7,
    "max_field_repeats": 100,
}


def arguments(field_name: str, field: GraphQLField, root: bool) -> str | None:
    if root and field_name in ROOT_ARGUMENTS:
        return ROOT_ARGUMENTS[field_name]
    if "first" in field.args:
        return PAGE
    if any(argument.type.__class__.__name__ == "GraphQLNonNull" for argument in field.args.values()):
        return None  # a required argument this walk cannot supply
    return ""


def selection(named: GraphQLNamedType, depth: int) -> str:
    if is_abstract_type(named):
        members = GRAPHQL.get_possible_types(named)
        return "__typename " + " ".join(f"... on {m.name} {{ {selection(m, depth)} }}" for m in members)
    assert isinstance(named, GraphQLObjectType)
    parts = ["__typename"]
    for field_name, field in named.fields.items():
        given = arguments(field_name, field, root=False)
        child = get_named_type(field.type)
        if given is None:
            continue
        if is_leaf_type(child):
            parts.append(f"{field_name}{given}")
        elif depth < DEPTH:
            parts.append(f"{field_name}{given} {{ {selection(child, depth + 1)} }}")
    return " ".join(parts)


def documents(world: World) -> Iterator[tuple[str, str]]:
    query = GRAPHQL.query_type
    assert query is not None
    values = {**world.ids, "codeA": world.codes["A"]}
    for field_name, field in query.fields.items():
        given = arguments(field_name, field, root=True)
        assert given is not None, f"Query.{field_name} needs arguments: add it to ROOT_ARGUMENTS"
        child = get_named_type(field.type)
        body = "" if is_leaf_type(child) else f" {{ {selection(child, 1)} }}"
        yield field_name, "{ " + field_name + given.format(**values) + body + " }"


def violations(value: Any, held: frozenset[Scope], path: str = "") -> Iterator[str]:
    """Objects in an answer that the caller may not have: by their type's marks, by event contents."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from violations(item, held, f"{path}[{index}]")
    elif isinstance(value, dict):
        type_name = value.get("__typename")
        if type_name is not None:
            named = GRAPHQL.get_type(type_name)
            assert named is not None
            missing = type_scopes(named) - held
            if missing:
                yield f"{path}: a {type_name} without {sorted(s.name for s in missing)}"
            if type_name == "ActivityEvent" and (value.get("before") or value.get("after")):
                needed = content_scopes(value["action"], value.get("before"), value.get("after")) - held
                if needed:
                    yield f"{path}: {value['action']} contents without {sorted(s.name for s in needed)}"
        for key, item in value.items():
            yield from violations(item, held, f"{path}.{key}")


async def events(conn: Connection, world: World) -> dict[str, str]:
    """Events whose contents need more than ACTIVITY_READ: a key's change, a move of effective values."""
    carrier = world.carrier_ids["A"]
    organization = world.organization_ids["O"]
    found = {}
    for name, action, after in [
        ("eK", "apiKey.update", {"hint": "cak_test_…wxyz", "scopes": ["KEYS_WRITE"], "ipAllowlist": []}),
        (
            "eM",
            "carrier.attach",
            {"organizationId": "x", "effectiveChanges": [{"before": True, "after": False}]},
        ),
    ]:
        event_id: uuid.UUID = await conn.fetchval(
            """insert into activity_log (actor_kind, actor_id, actor_is_staff, action, target_type, target_id,
                                         carrier_id, organization_id, before, after)
               values ('system', 'test', true, $1, 'Carrier', $2, $2, $3, $4, $4) returning id""",
            action,
            carrier,
            organization,
            after,
        )
        found[name] = str(to_global_id("ActivityEvent", event_id))
    return found


@pytest.mark.parametrize("caller", CALLERS)
async def test_nothing_beyond_a_keys_scopes_reaches_it_on_any_path(
    make_client: ClientFactory, conn: Connection, caller: str
) -> None:
    # given: the world, with events whose contents need more than reading the log
    world = await build_world(conn)
    world = World(**{**world.__dict__, "ids": {**world.ids, **await events(conn, world)}})
    client = await make_client(**UNLIMITED)
    which = caller.removeprefix("key:")
    held = with_implied(frozenset(Scope) if which == "all" else frozenset({Scope(which)}))

    for root, document in documents(world):
        # when
        body = await post(client, document, headers=world.headers(caller))

        # then: refusals are FORBIDDEN (or the restricted function's), never data beyond the scopes
        codes = {error["extensions"]["code"] for error in body.get("errors", [])}
        assert codes <= {"FORBIDDEN"}, (root, body["errors"])
        found = list(violations(body.get("data"), held))
        assert not found, f"{caller} reached through {root}: {found[:5]}"


async def test_a_key_with_every_scope_is_answered_on_every_path(
    make_client: ClientFactory, conn: Connection
) -> None:
    # The control: the same walk with every scope gets data at depth, and no error but the
    # restricted root field's.
    world = await build_world(conn)
    world = World(**{**world.__dict__, "ids": {**world.ids, **await events(conn, world)}})
    client = await make_client(**UNLIMITED)
    answered = {}
    for root, document in documents(world):
        body = await post(client, document, headers=world.headers("key:all"))
        answered[root] = body.get("data", {}).get(root) is not None
        if root != "organizations":
            assert "errors" not in body, (root, body["errors"])
    assert [root for root in ("carrier", "nodes", "apiKey", "activity") if not answered[root]] == []
