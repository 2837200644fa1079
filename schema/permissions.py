"""What the caller may do, so that the page can disable a control instead of sending a request that is
refused (and logged): every operation by the access rules of its field (schema/enforcement.py), and, for
one carrier, what that carrier's state allows (API access off, the key limit reached, in an organization
or not)."""

from __future__ import annotations

from dataclasses import replace

import strawberry
from strawberry.types import Info

from access.principal import Principal, Scope
from context import Context
from resolvers.errors import SUPPORT
from resolvers.permissions import CarrierFacts, KeyRoom
from schema.enforcement import AccessRule, field_rules

# Operations that are not a field: the CSV exports (web/export.py), with the scope each reads.
EXPORTS = {"exportApiKeys": Scope.KEYS_READ, "exportActivity": Scope.ACTIVITY_READ}
KEY_MANAGEMENT = frozenset({"createApiKey", "updateApiKey", "rotateApiKey", "revokeApiKey"})
# The operations that concern one carrier (Carrier.permissions).
CARRIER_OPERATIONS = (
    "createApiKey",
    "updateApiKey",
    "rotateApiKey",
    "rotateApiKeyWithGracePeriod",
    "revokeApiKey",
    "exportApiKeys",
    "exportActivity",
    "setCarrierEnablement",
    "updateCarrier",
    "createOrganization",
    "attachCarrierToOrganization",
    "moveCarrierToOrganization",
    "detachCarrierFromOrganization",
)


@strawberry.type(description="An operation the caller may or may not perform now, and why not.")
class Permission:
    operation: str = strawberry.field(
        description="A mutation or query by name (createApiKey, organizations), exportApiKeys / "
        "exportActivity for the CSV exports, or rotateApiKeyWithGracePeriod (a rotation whose old key "
        "stays for a while, which needs room under the active key limit)."
    )
    allowed: bool = strawberry.field(description="Whether a request for it would be let through.")
    reason: str | None = strawberry.field(description="Why not, for a person to read; null when allowed.")


_RULES: dict[int, dict[str, AccessRule]] = {}


def operation_rules(schema: strawberry.Schema) -> dict[str, AccessRule]:
    """Every mutation, every restricted query and the exports, by operation name (once per schema)."""
    rules = _RULES.get(id(schema))
    if rules is None:
        by_field = field_rules(schema)
        rules = {
            coordinate.split(".")[1]: rule
            for coordinate, rule in by_field.items()
            if coordinate.startswith("Mutation.")
            or (coordinate.startswith("Query.") and rule.restricted_reason)
        }
        for name, scope in EXPORTS.items():
            rules[name] = AccessRule(f"Query.{name}", True, None, frozenset({scope}))
        # A rotation whose old key stays for a grace period: the same rule, but it needs a free place.
        rules["rotateApiKeyWithGracePeriod"] = rules["rotateApiKey"]
        _RULES[id(schema)] = rules
    return rules


def decide(operation: str, rule: AccessRule, principal: Principal) -> Permission:
    if not principal.is_authenticated:
        return Permission(operation=operation, allowed=False, reason="Sign in first.")
    if rule.restricted_reason and not principal.is_staff:
        reason = f"A restricted function for platform staff ({rule.restricted_reason}). {SUPPORT}"
        return Permission(operation=operation, allowed=False, reason=reason)
    missing = sorted(scope.name for scope in rule.scopes - principal.scopes)
    if missing:
        reason = f"This API key lacks the scope {', '.join(missing)}."
        return Permission(operation=operation, allowed=False, reason=reason)
    if operation in KEY_MANAGEMENT and principal.grant is not None and principal.grant.rotating:
        reason = "This key was rotated and is in its grace period: it cannot manage keys."
        return Permission(operation=operation, allowed=False, reason=reason)
    return Permission(operation=operation, allowed=True, reason=None)


def viewer_permissions(info: Info[Context, None], service_keys: KeyRoom | None) -> list[Permission]:
    """Every operation; `service_keys` (for staff) says whether one more service key fits."""
    principal = info.context.principal
    rules = operation_rules(info.schema)
    decided = [decide(name, rules[name], principal) for name in sorted(rules)]
    return [_service_keys(permission, service_keys) for permission in decided]


def _service_keys(permission: Permission, room: KeyRoom | None) -> Permission:
    if permission.operation != "createServiceKey" or not permission.allowed or room is None:
        return permission
    if room.active < room.limit:
        return permission
    reason = f"The platform has {room.active} active service keys, the most allowed; revoke one first."
    return replace(permission, allowed=False, reason=reason)


def carrier_permissions(info: Info[Context, None], facts: CarrierFacts) -> list[Permission]:
    principal = info.context.principal
    rules = operation_rules(info.schema)
    feature = info.context.settings.api_access_feature
    return [_for_carrier(decide(name, rules[name], principal), facts, feature) for name in CARRIER_OPERATIONS]


def _for_carrier(permission: Permission, facts: CarrierFacts, api_access_feature: str) -> Permission:
    if not permission.allowed:
        return permission
    operation = permission.operation
    reason = None
    if operation in ("createApiKey", "rotateApiKey", "rotateApiKeyWithGracePeriod") and not facts.api_access:
        reason = (
            f"API access ({api_access_feature}) is off for this carrier: no key is issued until it is on."
        )
    elif operation == "createApiKey" and facts.active_keys >= facts.key_limit:
        reason = f"The carrier has {facts.active_keys} active keys, the most allowed; revoke one first."
    elif operation == "rotateApiKeyWithGracePeriod" and facts.active_keys >= facts.key_limit:
        reason = (
            f"The carrier has {facts.active_keys} active keys, the most allowed: the old key cannot stay for "
            "a grace period beside the new one. Rotate without one, or revoke a key first."
        )
    elif operation in ("attachCarrierToOrganization", "createOrganization") and facts.in_organization:
        reason = "The carrier is already in an organization: move or detach it instead."
    elif operation == "moveCarrierToOrganization" and not facts.in_organization:
        # (Detaching a carrier in no organization changes nothing; it is not refused.)
        reason = "The carrier is in no organization."
    return replace(permission, allowed=False, reason=reason) if reason else permission
