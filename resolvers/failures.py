"""Expected ways a mutation can fail. The schema turns each into a member of the mutation's error
union, so the frontend can show it next to the form field it names."""

from __future__ import annotations

import enum

from db.organizations import OrganizationRow


class Failure(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundFailure(Failure):
    """The object does not exist, or is not in the caller's reach: the two are never told apart."""


class InvalidFailure(Failure):
    """An input value is unusable; `field` names it."""


class ConflictFailure(Failure):
    def __init__(self, message: str, *, field: str | None = None, current_version: int | None = None) -> None:
        super().__init__(message, field=field)
        self.current_version = current_version


class AlreadyInOrganizationFailure(Failure):
    def __init__(self, message: str, *, organization: OrganizationRow, field: str = "carrierId") -> None:
        super().__init__(message, field=field)
        self.organization = organization


class OrganizationNotEmptyFailure(Failure):
    def __init__(self, message: str, *, carrier_count: int) -> None:
        super().__init__(message, field="id")
        self.carrier_count = carrier_count


class ForbiddenRule(enum.Enum):
    """Which rule refused a key change (resolvers/api_key_policy.py)."""

    SCOPE_NOT_HELD = "SCOPE_NOT_HELD"
    ALLOWLIST_WIDER = "ALLOWLIST_WIDER"
    EXPIRY_LATER = "EXPIRY_LATER"
    TARGET_STRONGER = "TARGET_STRONGER"
    CALLER_IN_GRACE_PERIOD = "CALLER_IN_GRACE_PERIOD"
    NON_EXPIRING_NOT_ALLOWED = "NON_EXPIRING_NOT_ALLOWED"
    API_ACCESS_DISABLED = "API_ACCESS_DISABLED"
    SERVICE_KEY = "SERVICE_KEY"


class ForbiddenFailure(Failure):
    """The caller may not do this particular thing (grant a scope it does not hold...): `rule` says which."""

    def __init__(self, message: str, *, rule: ForbiddenRule, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.rule = rule


class LimitReachedFailure(Failure):
    def __init__(self, message: str, *, limit: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.limit = limit


def stale(what: str, current_version: int) -> ConflictFailure:
    """The answer to an `expectedVersion` that is no longer current."""
    return ConflictFailure(
        f"The {what} was changed by someone else (it is now at version {current_version}); "
        "reload it and try again.",
        field="expectedVersion",
        current_version=current_version,
    )
