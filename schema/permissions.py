"""What the caller may do, so that the page can disable a control instead of sending a request that is
refused (and logged). An operation is judged as a request for it would be: by the access rules of its
field (schema/enforcement.py), then by the object-level rules of resolvers/rules.py, the same functions
that refuse the mutation, with the same words.

The operations come from the schema: every mutation and every restricted query; the CSV exports (not
fields: resolvers/exports.EXPORTS); and a rotation whose old key stays for a grace period
(rotateApiKeyWithGracePeriod), which needs room under the active key limit. For one carrier
(Carrier.permissions): the mutations whose input names a carrier or changes one, those that change its
API keys, the exports, and that rotation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import strawberry
from graphql import GraphQLInputObjectType, GraphQLSchema, get_named_type
from strawberry.types import Info

from access.principal import Principal, Scope
from context import Context
from resolvers import rules
from resolvers.errors import SUPPORT
from resolvers.exports import EXPORTS
from resolvers.rules import CarrierFacts
from schema.enforcement import AccessRule, field_rules

ROTATION_WITH_GRACE = "rotateApiKeyWithGracePeriod"
CARRIER_FIELDS = frozenset({"carrierId", "carrierIds"})


@strawberry.type(description="An operation the caller may or may not perform now, and why not.")
class Permission:
    operation: str = strawberry.field(
        description="A mutation or query by name (createApiKey, organizations), exportApiKeys / "
        "exportActivity for the CSV exports, or rotateApiKeyWithGracePeriod (a rotation whose old key "
        "stays for a while, which needs room under the active key limit)."
    )
    allowed: bool = strawberry.field(description="Whether a request for it would be let through.")
    reason: str | None = strawberry.field(description="Why not, for a person to read; null when allowed.")


@dataclass(frozen=True, slots=True)
class _Operations:
    """Per built schema: every operation's field rule, and which concern one carrier."""

    rules: dict[str, AccessRule]
    of_a_carrier: tuple[str, ...]


_OPERATIONS: dict[int, _Operations] = {}


def operations(schema: strawberry.Schema) -> _Operations:
    found = _OPERATIONS.get(id(schema))
    if found is None:
        by_field = field_rules(schema)
        named = {
            coordinate.split(".")[1]: rule
            for coordinate, rule in by_field.items()
            if coordinate.startswith("Mutation.")
            or (coordinate.startswith("Query.") and rule.restricted_reason)
        }
        for name, scope in EXPORTS.items():
            named[name] = AccessRule(f"Query.{name}", True, None, frozenset({scope}))
        named[ROTATION_WITH_GRACE] = named["rotateApiKey"]
        of_a_carrier = sorted(
            name
            for name in named
            if name in EXPORTS or _concerns_a_carrier(schema._schema, name, named[name])
        )
        found = _OPERATIONS[id(schema)] = _Operations(
            rules=named, of_a_carrier=(*of_a_carrier, ROTATION_WITH_GRACE)
        )
    return found


def _concerns_a_carrier(schema: GraphQLSchema, name: str, rule: AccessRule) -> bool:
    """An export; a mutation whose input names a carrier, changes one (…CarrierInput with an id), or
    changes keys (and the rotation with a grace period)."""
    if name in EXPORTS or name == ROTATION_WITH_GRACE:
        return True
    mutation = schema.mutation_type
    field = mutation.fields.get(name) if mutation is not None else None
    if field is None:
        return False
    if Scope.KEYS_WRITE in rule.scopes:
        return True
    for argument in field.args.values():
        given = get_named_type(argument.type)
        if isinstance(given, GraphQLInputObjectType) and (
            CARRIER_FIELDS & set(given.fields)
            or (given.name.endswith("CarrierInput") and "id" in given.fields)
        ):
            return True
    return False


def decide(operation: str, rule: AccessRule, principal: Principal, facts: CarrierFacts | None) -> Permission:
    """As a request would be judged: the field's access rule, then the operation's object rules."""
    if not principal.is_authenticated:
        return Permission(operation=operation, allowed=False, reason="Sign in first.")
    if rule.restricted_reason and not principal.is_staff:
        reason = f"A restricted function for platform staff ({rule.restricted_reason}). {SUPPORT}"
        return Permission(operation=operation, allowed=False, reason=reason)
    missing = sorted(scope.name for scope in rule.scopes - principal.scopes)
    if missing:
        reason = f"This API key lacks the scope {', '.join(missing)}."
        return Permission(operation=operation, allowed=False, reason=reason)
    refusal = rules.first_refusal(operation, principal, facts)
    if refusal is not None:
        return Permission(operation=operation, allowed=False, reason=refusal.message)
    return Permission(operation=operation, allowed=True, reason=None)


def viewer_permissions(info: Info[Context, None], service_keys: CarrierFacts | None) -> list[Permission]:
    """Every operation; `service_keys` (for staff) are the platform's service keys' facts."""
    principal = info.context.principal
    known = operations(info.schema).rules
    decided = [decide(name, known[name], principal, None) for name in sorted(known)]
    return [_service_keys(permission, service_keys) for permission in decided]


def _service_keys(permission: Permission, facts: CarrierFacts | None) -> Permission:
    """createServiceKey: whether one more service key fits, as the mutation judges it."""
    if permission.operation != "createServiceKey" or not permission.allowed or facts is None:
        return permission
    refusal = rules.no_room_for_a_key(facts)
    return replace(permission, allowed=False, reason=refusal.message) if refusal else permission


def carrier_permissions(info: Info[Context, None], facts: CarrierFacts) -> list[Permission]:
    principal = info.context.principal
    found = operations(info.schema)
    return [decide(name, found.rules[name], principal, facts) for name in found.of_a_carrier]
