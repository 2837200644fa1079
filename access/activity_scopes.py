"""Which scopes reading an activity event's contents (`before`, `after`) takes, beside ACTIVITY_READ.

An event's contents are a snapshot of what it is about: a key's hint, scopes and allowlist; an
enablement's state; a carrier's organization and the effective values its move changed. An API key
that may read the log but not keys (or enablements) reads the event, not those contents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from access.principal import Scope

BY_ACTION_PREFIX: Mapping[str, frozenset[Scope]] = {
    "apiKey": frozenset({Scope.KEYS_READ}),
    "keyPolicy": frozenset({Scope.KEYS_READ}),
    "enablement": frozenset({Scope.ENABLEMENTS_READ}),
    "feature": frozenset({Scope.ENABLEMENTS_READ}),
    "carrier": frozenset({Scope.CARRIER_READ}),
    "organization": frozenset({Scope.CARRIER_READ}),
    "changeRequest": frozenset({Scope.CARRIER_READ}),
}
# Contents that show effective feature values, whatever the action.
ENABLEMENT_CONTENT = "effectiveChanges"


def content_scopes(
    action: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> frozenset[Scope]:
    """The scopes reading this event's `before` and `after` takes (refusals: none beyond the log's)."""
    needed = BY_ACTION_PREFIX.get(action.split(".", 1)[0], frozenset())
    if any(ENABLEMENT_CONTENT in (snapshot or {}) for snapshot in (before, after)):
        needed = needed | {Scope.ENABLEMENTS_READ}
    return needed
