"""Schema directives that mark access rules. The server enforces them from the marks themselves
(schema/enforcement.py), so a field cannot be marked without being enforced, or the reverse."""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location

from schema.enums import ApiKeyScope


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Only the platform's staff may use this field. Anyone else gets a FORBIDDEN error, a "
    "warning in the response's extensions, and nothing else; the attempt is recorded.",
)
class Restricted:
    reason: str


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION, Location.OBJECT],
    description="An API key must hold this scope to use the field, or any field that returns this type, "
    "on every path (people hold every scope within the carriers they administer).",
)
class RequiresScope:
    scope: ApiKeyScope


# The mark of every mutation that changes a carrier's API keys or the policies they are issued under.
KEYS_WRITE = RequiresScope(scope=ApiKeyScope.KEYS_WRITE)


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="An API key must also hold the scope that reads what the event is about: KEYS_READ for "
    "API key events, ENABLEMENTS_READ for enablement and catalogue events and for changes that moved "
    "effective values, CARRIER_READ for carriers and organizations.",
)
class RequiresScopeOfEvent:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Answers without credentials. Every other root field needs an API key or a token.",
)
class Public:
    pass
