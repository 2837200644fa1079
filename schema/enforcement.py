"""Enforces the access marks (@restricted, @requiresScope, @public) from the built schema itself.

At build time every field carrying a mark gets its resolver wrapped; fields without marks keep their
own resolver untouched (no per-field cost on leaves). Because the wrapper is derived from the
directive on the field, marking and enforcing cannot drift apart.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLObjectType, default_field_resolver
from strawberry.schema.schema_converter import GraphQLCoreConverter

from access.principal import Principal, Scope
from context import Context, Refusal
from resolvers.errors import SUPPORT, Forbidden, Unauthenticated
from schema.directives import Public, RequiresScope, Restricted

RESTRICTED_MESSAGE = f"This is a restricted function for platform staff. {SUPPORT}"


@dataclass(frozen=True, slots=True)
class AccessRule:
    coordinate: str  # "Mutation.createOrganization"
    needs_authentication: bool
    restricted_reason: str | None
    scope: Scope | None

    @property
    def is_open(self) -> bool:
        return not (self.needs_authentication or self.restricted_reason or self.scope)

    def admits(self, principal: Principal) -> bool:
        """Whether the principal may use the field: what `guarded` lets through to the resolver."""
        return (
            (principal.is_authenticated or not self.needs_authentication)
            and (principal.is_staff or not self.restricted_reason)
            and (self.scope is None or principal.holds(self.scope))
        )

    @property
    def action(self) -> str:
        type_name, field_name = self.coordinate.split(".")
        return f"{type_name[0].lower()}{type_name[1:]}.{field_name}"


def access_rule(type_name: str, field_name: str, marks: list[object], *, is_root: bool) -> AccessRule:
    restricted = next((m for m in marks if isinstance(m, Restricted)), None)
    scope = next((m for m in marks if isinstance(m, RequiresScope)), None)
    public = any(isinstance(m, Public) for m in marks)
    return AccessRule(
        coordinate=f"{type_name}.{field_name}",
        needs_authentication=is_root and not public,
        restricted_reason=restricted.reason if restricted else None,
        scope=Scope(scope.scope) if scope else None,
    )


def field_rules(schema: strawberry.Schema) -> dict[str, AccessRule]:
    """Every object field's access rule, by coordinate (also what the schema-walking test reads)."""
    graphql_schema = schema._schema
    roots = {graphql_schema.query_type, graphql_schema.mutation_type} - {None}
    rules = {}
    for gql_type in graphql_schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for field_name, field in gql_type.fields.items():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            marks = list(getattr(definition, "directives", None) or [])
            rule = access_rule(gql_type.name, field_name, marks, is_root=gql_type in roots)
            rules[rule.coordinate] = rule
    return rules


def enforce_access(schema: strawberry.Schema) -> None:
    graphql_schema = schema._schema
    rules = field_rules(schema)
    for gql_type in graphql_schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for field_name, field in gql_type.fields.items():
            rule = rules[f"{gql_type.name}.{field_name}"]
            if not rule.is_open:
                field.resolve = _guarded(field.resolve or default_field_resolver, rule)


def _guarded(resolve: Callable[..., Any], rule: AccessRule) -> Callable[..., Any]:
    def guarded(source: Any, info: Any, **arguments: Any) -> Any:
        context: Context = info.context
        principal = context.principal
        if rule.admits(principal):
            return resolve(source, info, **arguments)
        if rule.needs_authentication and not principal.is_authenticated:
            raise Unauthenticated(
                "Sign in: send `Authorization: Bearer <token or API key>` with the request."
            )
        if rule.restricted_reason and not principal.is_staff:
            _refuse(context, rule)
        if rule.scope and not principal.holds(rule.scope):
            raise Forbidden(
                f"This API key lacks the scope {rule.scope.value}, which {rule.coordinate} needs; "
                "ask the key's owner to issue a key with that scope.",
                requiredScope=rule.scope.name,
            )
        raise AssertionError(f"{rule.coordinate}: refused without a reason")  # admits() and these agree

    guarded.__name__ = f"guarded_{rule.coordinate.replace('.', '_')}"
    assert not inspect.iscoroutinefunction(guarded)
    return guarded


def _refuse(context: Context, rule: AccessRule) -> None:
    """Refuse a restricted call: a warning for the banner, a FORBIDDEN error; the request's refusals go
    to the activity log as one row once it is answered (schema/request_rules.py)."""
    warning = {"code": "RESTRICTED_FUNCTION", "field": rule.coordinate, "message": RESTRICTED_MESSAGE}
    if warning not in context.warnings:
        context.warnings.append(warning)
    context.refusals.append(
        Refusal(rule.coordinate, rule.action, f"restricted function: {rule.restricted_reason}")
    )
    raise Forbidden(RESTRICTED_MESSAGE, restricted=True, field=rule.coordinate)
