"""Enforces the access marks (@restricted, @requiresScope, @requiresScopeOfEvent, @public) from the built
schema itself, so that marking and enforcing cannot drift apart.

@requiresScope marks fields and types. A field needs its own marks' scopes and those of the type it
returns (lists and non-null unwrapped), on every path: `apiKey { carrier { ... } }` needs CARRIER_READ at
`carrier`, whatever the root field needed. Each field is guarded only where a caller could reach it
without already having passed the same check: the scopes every path to a type is certain to have
checked are worked out once, over the whole schema (`guaranteed_scopes`), and a field whose scopes are
among those of its type is left unwrapped (no per-field cost on leaves and already-checked lists).

An object of a marked type reaches a caller only through a check of its type's marks: a field that
returns it directly checks them; a field that returns an interface or union of marked types must filter
what it returns by the members' marks itself, and only those in FILTERED_BY_TYPE do (`node(id:)` answers
null for a type the caller's key has no scope for). Building the schema fails for any other such field.
"""

from __future__ import annotations

import inspect
import uuid
import weakref
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    default_field_resolver,
    get_named_type,
    is_abstract_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

from access.activity_scopes import content_scopes
from access.principal import Principal, Scope, with_implied
from context import Context, Refusal
from resolvers.errors import SUPPORT, Forbidden, Unauthenticated
from resolvers.global_ids import from_global_id
from schema.directives import Public, RequiresScope, RequiresScopeOfEvent, Restricted

RESTRICTED_MESSAGE = f"This is a restricted function for platform staff. {SUPPORT}"
# Fields returning an interface or union of marked types that filter by the members' marks themselves.
FILTERED_BY_TYPE = frozenset({"Query.node", "Query.nodes"})


@dataclass(frozen=True, slots=True)
class AccessRule:
    coordinate: str  # "Mutation.createOrganization"
    needs_authentication: bool
    restricted_reason: str | None
    # The scopes this field checks (those its marks and its type's ask for, less what every path to it
    # has already checked).
    scopes: frozenset[Scope]
    # @requiresScopeOfEvent: the scopes depend on the event (access/activity_scopes.py).
    of_event: bool = False

    @property
    def is_open(self) -> bool:
        return not (self.needs_authentication or self.restricted_reason or self.scopes or self.of_event)

    def admits(self, principal: Principal) -> bool:
        """Whether the principal may use the field (before any event-dependent scope)."""
        return (
            (principal.is_authenticated or not self.needs_authentication)
            and (principal.is_staff or not self.restricted_reason)
            and self.scopes <= principal.scopes
        )

    @property
    def action(self) -> str:
        type_name, field_name = self.coordinate.split(".")
        return f"{type_name[0].lower()}{type_name[1:]}.{field_name}"


def marks_of(definition: Any) -> list[object]:
    return list(getattr(definition, "directives", None) or [])


def _scope_marks(marks: list[object]) -> frozenset[Scope]:
    return frozenset(Scope(mark.scope) for mark in marks if isinstance(mark, RequiresScope))


def type_scopes(named: GraphQLNamedType) -> frozenset[Scope]:
    """The scopes a type's own @requiresScope marks ask for (none for interfaces, unions, scalars)."""
    if not isinstance(named, GraphQLObjectType):
        return frozenset()
    return _scope_marks(marks_of(named.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)))


def _field_marks(field: Any) -> list[object]:
    return marks_of(field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF))


def required_scopes(field: Any) -> frozenset[Scope]:
    """What using a field takes: its own marks and its (object) type's."""
    return _scope_marks(_field_marks(field)) | type_scopes(get_named_type(field.type))


def _object_types(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    return [
        t
        for t in schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__")
    ]


def guaranteed_scopes(schema: GraphQLSchema) -> dict[str, frozenset[Scope]]:
    """For each object type, the scopes that every path from a root to an object of it has checked.

    The greatest fixed point of: a root, nothing; any other type, what every field leading to it
    guarantees: its parent's guarantee, the field's own checks and the type's marks (checked by the
    field, or by the filtering of FILTERED_BY_TYPE), with what those include."""
    roots = {schema.query_type, schema.mutation_type, schema.subscription_type} - {None}
    types = _object_types(schema)
    everything = frozenset(Scope)
    guaranteed = {t.name: (frozenset() if t in roots else everything) for t in types}
    changed = True
    while changed:
        changed = False
        incoming: dict[str, frozenset[Scope]] = {}
        for parent in types:
            for field_name, field in parent.fields.items():
                checked = guaranteed[parent.name] | _scope_marks(_field_marks(field))
                for member in _returned_types(schema, parent, field_name, field):
                    arriving = with_implied(checked | type_scopes(member))
                    incoming[member.name] = incoming.get(member.name, arriving) & arriving
        for t in types:
            new = frozenset() if t in roots else incoming.get(t.name, everything)
            if new != guaranteed[t.name]:
                guaranteed[t.name] = new
                changed = True
    return guaranteed


def _returned_types(
    schema: GraphQLSchema, parent: GraphQLObjectType, field_name: str, field: Any
) -> list[GraphQLObjectType]:
    """The object types a field may return; one returning marked types through an interface or union
    must filter them by their marks itself (FILTERED_BY_TYPE)."""
    named = get_named_type(field.type)
    if not is_abstract_type(named):
        return [named] if isinstance(named, GraphQLObjectType) else []
    members = list(schema.get_possible_types(named))
    marked = [member.name for member in members if type_scopes(member)]
    coordinate = f"{parent.name}.{field_name}"
    if marked and coordinate not in FILTERED_BY_TYPE:
        raise TypeError(f"{coordinate} returns {', '.join(marked)} but does not filter them by their marks")
    return members


def access_rule(
    type_name: str, field_name: str, field: Any, *, is_root: bool, already: frozenset[Scope]
) -> AccessRule:
    marks = _field_marks(field)
    restricted = next((m for m in marks if isinstance(m, Restricted)), None)
    return AccessRule(
        coordinate=f"{type_name}.{field_name}",
        needs_authentication=is_root and not any(isinstance(m, Public) for m in marks),
        restricted_reason=restricted.reason if restricted else None,
        scopes=required_scopes(field) - already,
        of_event=any(isinstance(m, RequiresScopeOfEvent) for m in marks),
    )


def field_rules(schema: strawberry.Schema) -> dict[str, AccessRule]:
    """Every object field's access rule, by coordinate (also what the schema-walking tests read)."""
    graphql_schema = schema._schema
    roots = {graphql_schema.query_type, graphql_schema.mutation_type, graphql_schema.subscription_type} - {
        None
    }
    guaranteed = guaranteed_scopes(graphql_schema)
    rules = {}
    for gql_type in _object_types(graphql_schema):
        for field_name, field in gql_type.fields.items():
            rule = access_rule(
                gql_type.name, field_name, field, is_root=gql_type in roots, already=guaranteed[gql_type.name]
            )
            rules[rule.coordinate] = rule
    return rules


# Each built schema's rules, for code that answers a field without its resolver (schema/prefetch.py).
_RULES: weakref.WeakKeyDictionary[GraphQLSchema, dict[str, AccessRule]] = weakref.WeakKeyDictionary()


def rule_of(schema: GraphQLSchema, coordinate: str) -> AccessRule:
    """The access rule enforced on a field of a built schema."""
    return _RULES[schema][coordinate]


def enforce_access(schema: strawberry.Schema) -> None:
    rules = field_rules(schema)
    _RULES[schema._schema] = rules
    for gql_type in _object_types(schema._schema):
        for field_name, field in gql_type.fields.items():
            rule = rules[f"{gql_type.name}.{field_name}"]
            if not rule.is_open:
                field.resolve = _guarded(field.resolve or default_field_resolver, rule)
                if field.subscribe is not None:
                    # A subscription is checked when it starts, and again before each event with the
                    # subscriber's rights as they are then: one that lost them ends, sending nothing more.
                    field.subscribe = _guarded_stream(field.subscribe, rule)


def _guarded(resolve: Callable[..., Any], rule: AccessRule) -> Callable[..., Any]:
    def guarded(source: Any, info: Any, **arguments: Any) -> Any:
        context: Context = info.context
        principal = context.principal
        if rule.admits(principal) and not (rule.of_event and _event_scopes(source) - principal.scopes):
            return resolve(source, info, **arguments)
        if rule.needs_authentication and not principal.is_authenticated:
            raise Unauthenticated(
                "Sign in: send `Authorization: Bearer <token or API key>` with the request."
            )
        path = tuple(info.path.as_list())
        if rule.restricted_reason and not principal.is_staff:
            _refuse(context, rule, path, arguments)
        missing = (rule.scopes | (_event_scopes(source) if rule.of_event else frozenset())) - principal.scopes
        scope = min(missing, key=lambda s: s.name)
        context.scope_refusals[path] = rule.coordinate
        raise Forbidden(
            f"This API key lacks the scope {scope.name}, which {rule.coordinate} needs here; "
            "ask the key's owner to issue a key with that scope.",
            requiredScope=scope.name,
        )

    assert not inspect.iscoroutinefunction(guarded)
    return guarded


def _guarded_stream(subscribe: Callable[..., Any], rule: AccessRule) -> Callable[..., Any]:
    check = _guarded(lambda *_source, **_arguments: None, rule)

    def guarded(source: Any, info: Any, **arguments: Any) -> Any:
        check(source, info, **arguments)
        return _each_event_checked(subscribe(source, info, **arguments), check, source, info, arguments)

    return guarded


async def _each_event_checked(
    events: Any, check: Callable[..., Any], source: Any, info: Any, arguments: Mapping[str, Any]
) -> AsyncGenerator[Any, None]:
    """The subscription's events, each let through only while the field's rule still admits the
    subscriber (resolvers/live.py brings the subscriber's rights up to date before each one)."""
    stream = await events if inspect.isawaitable(events) else events
    try:
        async for event in stream:
            check(source, info, **arguments)
            yield event
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


def _event_scopes(event: Any) -> frozenset[Scope]:
    return content_scopes(event.action, event.before, event.after)


def _refuse(
    context: Context, rule: AccessRule, path: tuple[str | int, ...], arguments: Mapping[str, Any]
) -> None:
    """Refuse a restricted call: a warning for the banner, a FORBIDDEN error; the request's refusals go
    to the activity log as one row once it is answered (schema/request_rules.py)."""
    warning = {"code": "RESTRICTED_FUNCTION", "field": rule.coordinate, "message": RESTRICTED_MESSAGE}
    if warning not in context.warnings:
        context.warnings.append(warning)
    reason = f"restricted function: {rule.restricted_reason}"
    context.refusals[path] = Refusal(rule.coordinate, rule.action, reason, _named_carrier(arguments))
    raise Forbidden(RESTRICTED_MESSAGE, restricted=True, field=rule.coordinate)


def _named_carrier(arguments: Mapping[str, Any]) -> uuid.UUID | None:
    """The carrier a call names (`carrierId`, itself or in its input), so that its refusal is recorded
    under that carrier (resolvers/refusals.py records it there only if it is in the caller's reach)."""
    given = arguments.get("carrierId")
    if given is None and isinstance(arguments.get("input"), Mapping):
        given = arguments["input"].get("carrierId")
    decoded = from_global_id(given) if isinstance(given, str) else None
    return decoded[1] if decoded is not None and decoded[0] == "Carrier" else None


def node_scopes(types: Mapping[str, type]) -> dict[str, frozenset[Scope]]:
    """What reading each Node type by id takes: its @requiresScope marks (for `node(id:)`)."""
    return {
        name: _scope_marks(marks_of(getattr(cls, "__strawberry_definition__", None)))
        for name, cls in types.items()
    }
