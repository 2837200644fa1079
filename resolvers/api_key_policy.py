"""What every API key mutation shares: the carrier and key it acts on (in reach, locked), what a key may
hold (the deployment's policy), and what a caller may hand out. (What the carrier's state or the caller's
own key allows, beside this, is resolvers/rules.py's: written once for the mutations and the page.)

People (administrators and staff) may give a key anything the policy allows, within the carriers they
administer. An API key with KEYS_WRITE may only create, change, rotate or revoke keys that end up no
stronger than itself: scopes within its own, an allowlist within its own ranges, an expiry no later
than its own; it cannot touch a key stronger than itself; while it is in a rotation's grace period it
cannot manage keys at all. Each refusal names its rule (`ForbiddenError.rule`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from access.addresses import AllowlistError, IPNetwork, parse_allowlist
from access.principal import SERVICE_SCOPES, Principal, Scope
from context import Context
from db import api_keys, carriers, organizations
from db.activity import Event
from db.api_keys import ApiKeyRow
from db.carriers import CarrierRow
from db.pool import Connection
from resolvers import key_policy, rules, validation
from resolvers.errors import BadUserInput, Forbidden, ForbiddenRule, PolicyLevel
from resolvers.global_ids import to_global_id

MAX_GRACE = timedelta(seconds=key_policy.MAX_GRACE_SECONDS)
GRACE_PERIOD_CHOICES = key_policy.GRACE_PERIOD_CHOICES
# Lifetimes offered to people issuing a key (GitHub's fine-grained tokens offer these).
LIFETIME_CHOICES_DAYS = (7, 30, 60, 90)
MAX_DESCRIPTION_LENGTH = 200


def description(value: str) -> str:
    return validation.text(
        value, field="description", label="A key's description", max_length=MAX_DESCRIPTION_LENGTH
    )


def allowlist(entries: Sequence[str]) -> tuple[IPNetwork, ...]:
    try:
        return parse_allowlist(entries)
    except AllowlistError as error:
        field = f"ipAllowlist[{error.index}]" if error.index is not None else "ipAllowlist"
        raise BadUserInput(error.message, field=field) from None


def scope_names(scopes: Sequence[str] | frozenset[Scope]) -> list[str]:
    """Scopes as clients spell them (KEYS_READ), sorted; stored values (keys:read) are converted."""
    return sorted(s.name if isinstance(s, Scope) else Scope(s).name for s in scopes)


# --- expiry --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpiryRequest:
    """An expiry as a mutation's input gives it: a moment, a day (ended in a time zone), or never."""

    expires_at: datetime | None = None
    expires_on: date | None = None
    time_zone: str | None = None
    never_expires: bool = False

    @property
    def given(self) -> bool:
        return self.expires_at is not None or self.expires_on is not None or self.never_expires


def expiry(
    context: Context,
    request: ExpiryRequest,
    *,
    now: datetime,
    authority: Authority,
    limits: key_policy.EffectivePolicy,
) -> datetime | None:
    """The expiry to store for `request` (the policy's default when it gives none), or a failure.
    `limits` is the key's carrier's effective policy (resolvers/key_policy.py)."""
    settings = context.settings
    if sum((request.expires_at is not None, request.expires_on is not None, request.never_expires)) > 1:
        field = "neverExpires" if request.never_expires else "expiresOn"
        raise BadUserInput("Give one of expiresAt, expiresOn and neverExpires.", field=field)
    if request.time_zone is not None and request.expires_on is None:
        raise BadUserInput("timeZone goes with expiresOn (the day it ends).", field="timeZone")
    if request.never_expires:
        # Keys that never expire are a risk: only where the deployment allows them, and only for staff.
        if not (settings.allow_non_expiring_keys and context.principal.is_staff):
            raise Forbidden(
                "Keys without an expiry are not allowed here; set an expiry (at most "
                f"{limits.max_lifetime_days.value} days).",
                field="neverExpires",
                rule=ForbiddenRule.NON_EXPIRING_NOT_ALLOWED,
                level=PolicyLevel.PLATFORM,
            )
        key_policy.refuse_non_expiring(limits, field="neverExpires")
        return authority.expiry_within(None, field="neverExpires")
    if not request.given:
        default = now + timedelta(days=limits.default_lifetime_days)
        # A key's own expiry caps what it issues by default, rather than refusing the default.
        return min(default, authority.expires_at) if authority.expires_at else default
    moment, field = _moment(request)
    if moment <= now:
        raise BadUserInput(f"{field} must be in the future.", field=field)
    key_policy.refuse_lifetime(limits, moment, now, field=field)
    return authority.expiry_within(moment, field=field)


def _moment(request: ExpiryRequest) -> tuple[datetime, str]:
    if request.expires_on is not None:
        zone_name = request.time_zone or "UTC"
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadUserInput(
                f"{zone_name[:60]!r} is not a time zone name, e.g. UTC or America/Chicago.", field="timeZone"
            ) from None
        try:
            return datetime.combine(request.expires_on, time.max, zone).astimezone(UTC), "expiresOn"
        except OverflowError:
            raise BadUserInput("expiresOn is outside the calendar in UTC.", field="expiresOn") from None
    assert request.expires_at is not None
    if request.expires_at.tzinfo is None:
        raise BadUserInput("expiresAt needs a time zone, e.g. 2027-01-31T00:00:00Z.", field="expiresAt")
    try:
        return request.expires_at.astimezone(UTC), "expiresAt"
    except OverflowError:
        raise BadUserInput("expiresAt is outside the calendar in UTC.", field="expiresAt") from None


# --- what the caller may hand out ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Authority:
    """What the caller may give a key. For people: everything in the policy. For a key: itself."""

    scopes: frozenset[Scope]
    # The ranges a key given out must stay within; None: no limit of the caller's own.
    networks: tuple[IPNetwork, ...] | None
    # The latest expiry it may give; None: no limit of the caller's own.
    expires_at: datetime | None
    rotating: bool = False

    @classmethod
    def for_operation(cls, principal: Principal, operation: str) -> Authority:
        """The caller's, for a key operation (createApiKey, rotateApiKey, ...) whose rules allow the caller
        at all: refused before anything is read otherwise."""
        rules.refuse(rules.first_refusal(operation, principal))
        return cls.of(principal)

    @classmethod
    def of(cls, principal: Principal) -> Authority:
        grant = principal.grant
        if grant is None:
            return cls(scopes=principal.scopes, networks=None, expires_at=None)
        return cls(
            scopes=grant.scopes,
            networks=grant.networks or None,
            expires_at=grant.expires_at,
            rotating=grant.rotating,
        )

    def scopes_within(self, requested: Sequence[Scope]) -> list[str]:
        """The scopes to store (their stored spelling), sorted; refused beyond the caller's own."""
        if not requested:
            raise BadUserInput("Give the key at least one scope.", field="scopes")
        beyond = scope_names(frozenset(requested) - self.scopes)
        if beyond:
            raise Forbidden(
                f"You cannot grant scopes you do not hold yourself: {', '.join(beyond)}.",
                field="scopes",
                rule=ForbiddenRule.SCOPE_NOT_HELD,
            )
        return sorted({s.value for s in requested})

    def allowlist_within(self, networks: tuple[IPNetwork, ...]) -> list[str]:
        """The allowlist to store; refused where it reaches beyond the caller's own ranges."""
        if self.networks is not None:
            outside = [n for n in networks if not _inside(n, self.networks)]
            if not networks or outside:
                ranges = ", ".join(str(n) for n in self.networks)
                what = f"{outside[0]} is outside them" if outside else "an empty allowlist means anywhere"
                raise Forbidden(
                    f"A key limited to {ranges} can only give keys limited within those ranges; {what}.",
                    field="ipAllowlist",
                    rule=ForbiddenRule.ALLOWLIST_WIDER,
                )
        return [str(network) for network in networks]

    def expiry_within(self, expires_at: datetime | None, *, field: str) -> datetime | None:
        if self.expires_at is not None and (expires_at is None or expires_at > self.expires_at):
            raise Forbidden(
                f"A key can only give keys that expire no later than itself ({self.expires_at.isoformat()}).",
                field=field,
                rule=ForbiddenRule.EXPIRY_LATER,
            )
        return expires_at

    def refuse_if_stronger(self, key: ApiKeyRow) -> None:
        """Refused when `key` is stronger than the caller: more scopes, wider ranges, later expiry."""
        if self.networks is None and self.expires_at is None and self.scopes >= frozenset(Scope):
            return
        stored = frozenset(Scope(s) for s in key.scopes)
        stronger = (
            not stored <= self.scopes
            or (
                self.networks is not None
                and (not key.ip_allowlist or not all(_inside(n, self.networks) for n in key.ip_allowlist))
            )
            or (self.expires_at is not None and (key.expires_at is None or key.expires_at > self.expires_at))
        )
        if stronger:
            raise Forbidden(
                f"Key {key.hint} can do more than the key you are calling with (scopes, allowlist or "
                "expiry): a key can only manage keys no stronger than itself.",
                field="id",
                rule=ForbiddenRule.TARGET_STRONGER,
            )


def _inside(network: IPNetwork, ranges: tuple[IPNetwork, ...]) -> bool:
    return any(network.version == r.version and network.subnet_of(r) for r in ranges)  # type: ignore[arg-type]


# --- the carrier and the key a mutation acts on ---------------------------------------------------


async def managed_carrier(context: Context, conn: Connection, carrier_global_id: str) -> CarrierRow:
    """The carrier whose keys the caller manages, locked: key changes of one carrier queue up."""
    carrier_id = validation.object_id(carrier_global_id, type_name="Carrier", field="carrierId")
    return await _locked_carrier(context, conn, carrier_id, carrier_global_id)


async def _locked_carrier(
    context: Context, conn: Connection, carrier_id: uuid.UUID, global_id: str
) -> CarrierRow:
    visible = await carriers.by_ids(conn, reach=context.principal.reach, ids=[carrier_id])
    locked = await carriers.lock(conn, carrier_id=carrier_id) if carrier_id in visible else None
    if locked is None:
        raise validation.not_found("Carrier", global_id, "carrierId")
    if locked.organization_id is not None:
        # The organization's key policy binds this change: setOrganizationKeyPolicy holds the organization's
        # row FOR UPDATE, and this shared lock waits for it (and it for this), so a key change is judged by
        # the policy before the change or after it. Key changes of the organization's carriers do not wait
        # for one another (shared), and the carrier (locked first, as moves lock it) cannot leave meanwhile.
        await organizations.lock_shared(conn, organization_id=locked.organization_id)
    return locked


async def managed_key(
    context: Context, conn: Connection, key_global_id: str
) -> tuple[CarrierRow | None, ApiKeyRow]:
    """A key in the caller's reach, locked for the change, with its carrier (locked first, as
    `managed_carrier` does: key changes of one carrier queue up in one order); a service key has no
    carrier, and only staff manage it."""
    key_id = validation.object_id(key_global_id, type_name="ApiKey", field="id")
    visible = await api_keys.by_ids(conn, reach=context.principal.reach, ids=[key_id])
    if key_id not in visible:
        raise validation.not_found("ApiKey", key_global_id, "id")
    carrier_id = visible[key_id].carrier_id
    carrier: CarrierRow | None = None
    if carrier_id is None:
        rules.refuse(rules.service_keys_by_staff(context.principal))
        await api_keys.lock_service_keys(conn)
    else:
        carrier = await _locked_carrier(context, conn, carrier_id, to_global_id("Carrier", carrier_id))
    locked = await api_keys.lock(conn, key_id=key_id)
    if locked is None:
        raise validation.not_found("ApiKey", key_global_id, "id")
    return carrier, locked


def service_scopes(requested: list[str]) -> list[str]:
    """A service key's scopes (stored spelling): reads only."""
    beyond = scope_names([s for s in requested if Scope(s) not in SERVICE_SCOPES])
    if beyond:
        allowed = ", ".join(scope_names(SERVICE_SCOPES))
        raise BadUserInput(
            f"A service key reads across every carrier, so it holds only {allowed}; not {', '.join(beyond)}.",
            field="scopes",
        )
    return requested


def event(
    action: str,
    carrier: CarrierRow | None,
    now: datetime,
    *,
    before: ApiKeyRow | None = None,
    after: ApiKeyRow | None = None,
    reason: str | None = None,
    noted: Mapping[str, Any] | None = None,
) -> Event:
    """A key's activity row, about the key as it is after the change (the new one, for a rotation):
    recorded under the key's carrier and its organization (none for a service key: staff alone see
    those events), with the key before and after as the log keeps it (`snapshot`), and what is `noted`
    beside the state after."""
    key = after if after is not None else before
    assert key is not None, "an event needs the key before or after the change"
    return Event(
        action=action,
        target_type="ApiKey",
        target_id=key.id,
        carrier_id=carrier.id if carrier else None,
        organization_id=carrier.organization_id if carrier else None,
        before=snapshot(before, now) if before is not None else None,
        after={**snapshot(after, now), **(noted or {})} if after is not None else None,
        reason=reason,
    )


def snapshot(key: ApiKeyRow, now: datetime) -> dict[str, Any]:
    """A key as the activity log keeps it, in the API's terms: the hint, never the secret or its hash."""
    return {
        "id": to_global_id("ApiKey", key.id),
        "hint": key.hint,
        "description": key.description,
        "scopes": scope_names(key.scopes),
        "ipAllowlist": key.allowlist,
        "expiresAt": key.expires_at.isoformat() if key.expires_at else None,
        # When it stops (or stopped) working by revocation: a rotated key's grace period ends then.
        "revokedAt": key.revoked_at.isoformat() if key.revoked_at else None,
        "status": key.status(now).value,
        "version": key.version,
    }
