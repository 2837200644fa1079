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
    locations=[Location.FIELD_DEFINITION],
    description="An API key must hold this scope to use the field (people hold every scope within "
    "the carriers they administer).",
)
class RequiresScope:
    scope: ApiKeyScope


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Answers without credentials. Every other root field needs an API key or a token.",
)
class Public:
    pass
