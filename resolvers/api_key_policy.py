"""The rules every API key mutation shares: who may manage a carrier's keys, which scopes they may
grant, what an allowlist and an expiry may be."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from access.addresses import AllowlistError, parse_allowlist
from access.principal import Principal, Scope
from context import Context
from db import api_keys, carriers
from db.api_keys import ApiKeyRow
from db.carriers import CarrierRow
from db.pool import Connection
from resolvers import validation
from resolvers.failures import ForbiddenFailure, InvalidFailure

MAX_GRACE = timedelta(days=7)


def description(value: str) -> str:
    return validation.text(value, field="description", label="A key's description")


def scopes(principal: Principal, requested: Sequence[Scope]) -> list[str]:
    """The scopes to store, sorted; refused if they go beyond what the caller holds itself."""
    if not requested:
        raise InvalidFailure("Give the key at least one scope.", field="scopes")
    beyond = sorted(s.value for s in set(requested) - principal.scopes)
    if beyond:
        raise ForbiddenFailure(
            f"You cannot grant scopes you do not hold yourself: {', '.join(beyond)}.", field="scopes"
        )
    return sorted({s.value for s in requested})


def allowlist(entries: Sequence[str]) -> list[str]:
    try:
        return [str(network) for network in parse_allowlist(entries)]
    except AllowlistError as error:
        field = f"ipAllowlist[{error.index}]" if error.index is not None else "ipAllowlist"
        raise InvalidFailure(error.message, field=field) from None


def expiry(
    context: Context, *, expires_at: datetime | None, never_expires: bool, now: datetime
) -> datetime | None:
    settings = context.settings
    if never_expires:
        if expires_at is not None:
            raise InvalidFailure("Give either expiresAt or neverExpires, not both.", field="neverExpires")
        # Keys that never expire are a risk: only where the deployment allows them, and only for staff.
        if not (settings.allow_non_expiring_keys and context.principal.is_staff):
            raise ForbiddenFailure(
                "Keys without an expiry are not allowed here; set an expiry (at most "
                f"{settings.key_max_lifetime_days} days).",
                field="neverExpires",
            )
        return None
    if expires_at is None:
        return now + timedelta(days=settings.key_default_lifetime_days)
    if expires_at.tzinfo is None:
        raise InvalidFailure("expiresAt needs a time zone, e.g. 2027-01-31T00:00:00Z.", field="expiresAt")
    if expires_at <= now:
        raise InvalidFailure("expiresAt must be in the future.", field="expiresAt")
    if expires_at > now + timedelta(days=settings.key_max_lifetime_days):
        raise InvalidFailure(
            f"expiresAt may be at most {settings.key_max_lifetime_days} days from now.", field="expiresAt"
        )
    return expires_at


async def managed_carrier(context: Context, conn: Connection, carrier_global_id: str) -> CarrierRow:
    """The carrier whose keys the caller manages, locked: key changes of one carrier queue up."""
    carrier_id = validation.object_id(carrier_global_id, type_name="Carrier", field="carrierId")
    visible = await carriers.by_ids(conn, scope=context.principal.scope, ids=[carrier_id])
    locked = await carriers.lock(conn, carrier_id=carrier_id) if carrier_id in visible else None
    if locked is None:
        raise validation.not_found("Carrier", carrier_global_id, "carrierId")
    return locked


async def managed_key(context: Context, conn: Connection, key_global_id: str) -> ApiKeyRow:
    """A key in the caller's reach, locked for the change."""
    key_id = validation.object_id(key_global_id, type_name="ApiKey", field="id")
    visible = await api_keys.by_ids(conn, scope=context.principal.scope, ids=[key_id])
    locked = await api_keys.lock(conn, key_id=key_id) if key_id in visible else None
    if locked is None:
        raise validation.not_found("ApiKey", key_global_id, "id")
    return locked


def snapshot(key: ApiKeyRow, now: datetime) -> dict[str, object]:
    """A key as the activity log keeps it: the hint, never the secret or its hash."""
    return {
        "hint": key.hint,
        "description": key.description,
        "scopes": key.scopes,
        "ipAllowlist": [str(n) for n in key.ip_allowlist],
        "expiresAt": key.expires_at.isoformat() if key.expires_at else None,
        "status": key.status(now).value,
        "version": key.version,
    }
