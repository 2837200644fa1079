"""An event's `before` and `after` in the API's terms, whenever it was recorded.

Since this release the log records global ids and scopes as the schema spells them; rows written
before then carry database UUIDs and `keys:read`. They are translated on the way out (the log is
append-only: it is never rewritten), so a client reads one spelling everywhere.
"""

from __future__ import annotations

import uuid
from typing import Any

from access.principal import Scope
from resolvers.global_ids import to_global_id

# Keys whose values name an object, and the type they name.
ID_KEYS = {"organizationId": "Organization", "carrierId": "Carrier", "featureId": "Feature"}
SCOPE_NAMES = {scope.value: scope.name for scope in Scope}


def public(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _entry(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [public(item) for item in value]
    return value


def _entry(key: str, value: Any) -> Any:
    if key in ID_KEYS and isinstance(value, str):
        return _global_id(ID_KEYS[key], value)
    if key == "scopes" and isinstance(value, list):
        return [SCOPE_NAMES.get(item, item) if isinstance(item, str) else item for item in value]
    return public(value)


def _global_id(type_name: str, value: str) -> str:
    try:
        return to_global_id(type_name, uuid.UUID(value))
    except ValueError:
        return value  # already a global id


def target_name(target_type: str | None, before: Any, after: Any) -> str | None:
    """The object an event acted on, named as the event recorded it: a key's description and hint, a
    carrier's code and name, an organization's or a feature's name; for a setting, its owner. None
    when the event recorded no name (a refusal; events written before names were recorded)."""
    recorded = after if isinstance(after, dict) else before if isinstance(before, dict) else None
    if recorded is None:
        return None
    named = recorded.get("ownerName")  # a setting: the carrier or organization it was set for
    if isinstance(named, str):
        return named
    description, hint, code, name = (recorded.get(key) for key in ("description", "hint", "code", "name"))
    if target_type == "ApiKey" and isinstance(description, str):
        return f"{description} ({hint})" if isinstance(hint, str) else description
    if target_type == "Carrier" and isinstance(code, str):
        return f"{code} ({name})" if isinstance(name, str) else code
    if target_type == "ChangeRequest":
        name = recorded.get("summary")  # a request to Support: the change in words
    if target_type in ("Organization", "Feature", "ChangeRequest") and isinstance(name, str):
        return name
    return None
