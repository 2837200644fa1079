"""Subscriptions: what changes, as it changes, read with the same tenant and scope rules as queries.

Each subscription watches the change feed (services/live_changes.py) for what concerns its carrier (or
organization) and reads what changed afresh, in the subscriber's reach, for every event. Before each
event the subscriber's rights are brought up to date: an API key is read again and judged as a request
with it would be (resolvers/key_verification.py: revoked, expired, its allowlist against the
connection's address, API access), and the connection's principal becomes what the key may do now, so
that the field rules of the event (schema/enforcement.py) judge it with today's scopes. A key that no
longer works, or a carrier no longer in reach (moved out of the organization the subscriber
administers), ends the subscription with an error saying so. The response's nested fields are read
through the connection's loaders, emptied before each event so that nothing stale is answered.

The reads of every subscription share a bounded part of the pool (WS_DB_CONNECTIONS): under many
events they queue. A database that does not answer ends the subscription with SUBSCRIPTION_ENDED (the
client subscribes again and re-reads), logged, never as a failure of the client's document.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from ipaddress import ip_address
from typing import TypeVar

from access.principal import Principal, PrincipalKind
from context import Context
from db import activity, api_keys, carriers, enablements, key_policies, organizations
from db.activity import ActivityRow
from db.api_keys import ApiKeyRow
from db.carriers import CarrierRow
from db.enablements import OwnerEnablements
from db.organizations import OrganizationRow
from db.pool import DATABASE_DOWN, Connection
from resolvers import key_policy, validation
from resolvers.changes import EffectiveChange
from resolvers.errors import ApiError, BadUserInput, ErrorCode, Forbidden, NotFound, Unauthenticated
from resolvers.global_ids import to_global_id
from resolvers.key_verification import KeyRefused, judge_key
from services.change_feed import Change
from services.live_changes import LiveChangesEnded

log = logging.getLogger(__name__)

# Changes after which any carrier's effective enablements may be different.
ENABLEMENT_CHANGES = frozenset({"carrier_enablement", "organization_enablement", "feature", "carrier"})


class Unavailable(ApiError):
    """The subscription cannot go on (the feed was interrupted, the client fell behind)."""

    code = ErrorCode.SUBSCRIPTION_ENDED


@dataclass(frozen=True, slots=True)
class KeyChange:
    action: str  # CREATED, UPDATED, REVOKED, EXPIRING, EXPIRED
    key: ApiKeyRow


@dataclass(frozen=True, slots=True)
class EnablementChange:
    carrier: CarrierRow
    changes: list[EffectiveChange]
    now: OwnerEnablements


async def api_key_changes(
    context: Context, carrier_global_id: str | None, organization_global_id: str | None
) -> AsyncIterator[KeyChange]:
    """A carrier's keys as they change; or those of every carrier of an organization (in reach)."""
    watched = await _watched(context, carrier_global_id, organization_global_id)
    async for change in _events(context, watched, _of_carriers(watched, "api_key")):
        key = await _fresh(context, api_keys.by_ids, change.id)
        if key is not None and await _is_watched(context, watched, key.carrier_id):
            yield KeyChange((change.action or "updated").upper(), key)


async def api_key_usage_changes(
    context: Context, carrier_global_id: str | None, organization_global_id: str | None
) -> AsyncIterator[CarrierRow]:
    """A carrier whose keys' usage counts were written (an instance's flush, about once a minute); or each
    carrier of an organization (in reach) whose were. The counts are read by the subscriber itself."""
    watched = await _watched(context, carrier_global_id, organization_global_id)
    async for change in _events(context, watched, _of_carriers(watched, "key_usage")):
        carrier = await _fresh(context, carriers.by_ids, change.carrier_id)
        if carrier is not None and watched.holds(carrier):  # read now: it may have left the organization
            yield carrier


async def enablement_changes(
    context: Context, carrier_global_id: str | None, organization_global_id: str | None
) -> AsyncIterator[EnablementChange]:
    """A carrier's effective enablements as they change; or, for an organization, those of each of its
    carriers in reach (an event per carrier that changed)."""
    watched = await _watched(context, carrier_global_id, organization_global_id)
    last = await _effective_of(context, watched)

    def concerns(change: Change) -> bool:
        # An organization's or a feature's change reaches carriers through their organization or the
        # default: which it reaches is not in the notification, so every watched carrier is re-read.
        if change.kind not in ENABLEMENT_CHANGES:
            return False
        if change.kind in ("carrier_enablement", "carrier"):
            return watched.covers(change)
        return True

    async for _ in _events(context, watched, concerns):
        now = await _effective_of(context, watched)
        for carrier, enabled in now.values():
            before = last.get(carrier.id)
            changes = _changed(carrier.id, before[1] if before else OwnerEnablements([], {}), enabled)
            if changes:
                yield EnablementChange(carrier, changes, enabled)
        last = now


async def activity_appended(
    context: Context, carrier_global_id: str | None, organization_global_id: str | None
) -> AsyncIterator[ActivityRow]:
    """A carrier's activity as it is appended; or an organization's: its own events and its carriers'
    (recorded under it, as `activity` lists them)."""
    watched = await _watched(context, carrier_global_id, organization_global_id)

    def concerns(change: Change) -> bool:
        if change.kind != "activity":
            return False
        if watched.carrier is not None:
            return change.carrier_id == watched.carrier.id
        assert watched.organization is not None
        return change.organization_id == watched.organization.id

    async for change in _events(context, watched, concerns):
        event = await _fresh(context, activity.by_ids, change.id)
        if event is not None:
            yield event


async def key_policy_changes(
    context: Context, carrier_global_id: str | None, organization_global_id: str | None
) -> AsyncIterator[key_policy.EffectivePolicy]:
    """The key policy a carrier's keys follow, as it changes (its own level, its organization's, its move
    to another organization); or an organization's (before any carrier's own tightening)."""
    watched = await _watched(context, carrier_global_id, organization_global_id)

    async def now() -> key_policy.EffectivePolicy:
        async with _connection(context) as conn:
            if watched.carrier is not None:
                return await key_policy.in_transaction(conn, context.settings, watched.carrier.id)
            assert watched.organization is not None
            own = await key_policies.of_organizations(conn, organization_ids=[watched.organization.id])
            return key_policy.of_organization(context.settings, own.get(watched.organization.id))

    def concerns(change: Change) -> bool:
        # A carrier's notification does not name its organization's: any policy change is re-read.
        return change.kind == "key_policy" or (change.kind == "carrier" and watched.covers(change))

    last = await now()
    async for _ in _events(context, watched, concerns):
        current = await now()
        if current != last:
            last = current
            yield current


def _of_carriers(watched: Watched, kind: str) -> Callable[[Change], bool]:
    """The changes of `kind` to a carrier that may be watched: a key's or its usage's notification names
    the carrier, not the carrier's organization, so the row is read to know."""

    def concerns(change: Change) -> bool:
        return change.kind == kind and change.carrier_id is not None and watched.covers(change)

    return concerns


Row = TypeVar("Row")


async def _fresh(
    context: Context, by_ids: Callable[..., Awaitable[dict[uuid.UUID, Row]]], row_id: uuid.UUID | None
) -> Row | None:
    """The row as it is now, if it exists and is in the subscriber's reach."""
    if row_id is None:
        return None
    async with _connection(context) as conn:
        found = await by_ids(conn, reach=context.principal.reach, ids=[row_id])
    return found.get(row_id)


@asynccontextmanager
async def _connection(context: Context) -> AsyncIterator[Connection]:
    """A connection for an event's reads. A database that does not answer (no connection within the
    pool's acquire timeout, a lost connection) ends the subscription as one to make again."""
    try:
        async with context.db.acquire() as conn:
            yield conn
    except DATABASE_DOWN as down:
        log.warning("subscription ended: the database did not answer (%s)", type(down).__name__)
        raise Unavailable(
            "The database did not answer in time: the subscription ended. Subscribe again and re-read."
        ) from None


# --- the watch, and the subscriber's right to it ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Watched:
    """What a subscription watches: one carrier, or an organization (its carriers)."""

    carrier: CarrierRow | None = None
    organization: OrganizationRow | None = None

    def covers(self, change: Change) -> bool:
        """Whether a change of a carrier (or of its enablements, or its move) is about what is watched."""
        if self.carrier is not None:
            return change.carrier_id == self.carrier.id
        assert self.organization is not None
        organization_id = self.organization.id
        if change.kind == "carrier":  # a carrier that joined or left the organization
            return organization_id in (change.organization_id, change.previous_organization_id)
        return True  # an enablement of a carrier that may be in the organization: re-read

    def holds(self, carrier: CarrierRow) -> bool:
        """Whether a carrier, as read now, is the one watched or one of the watched organization's."""
        if self.carrier is not None:
            return carrier.id == self.carrier.id
        assert self.organization is not None
        return carrier.organization_id == self.organization.id

    def concerns_access(self, change: Change) -> bool:
        """A change after which the subscriber may no longer reach what is watched."""
        if self.carrier is not None:
            return change.kind == "carrier" and change.carrier_id == self.carrier.id
        assert self.organization is not None
        return change.kind == "organization" and change.organization_id == self.organization.id


async def _watched(
    context: Context, carrier_global_id: str | None, organization_global_id: str | None
) -> Watched:
    """The carrier or the organization a subscription names (exactly one), in the subscriber's reach."""
    if (carrier_global_id is None) == (organization_global_id is None):
        raise BadUserInput("Pass exactly one of `carrierId` and `organizationId`.", argument="carrierId")
    if carrier_global_id is not None:
        return Watched(carrier=await _reachable(context, carrier_global_id))
    assert organization_global_id is not None
    return Watched(organization=await _reachable_organization(context, organization_global_id))


async def _is_watched(context: Context, watched: Watched, carrier_id: uuid.UUID | None) -> bool:
    """Whether a carrier is the one watched, or (read now) one of the watched organization's."""
    if watched.carrier is not None:
        return carrier_id == watched.carrier.id
    carrier = await _fresh(context, carriers.by_ids, carrier_id)
    return carrier is not None and watched.holds(carrier)


async def _events(
    context: Context, watched: Watched, concerns: Callable[[Change], bool]
) -> AsyncIterator[Change]:
    own_key = uuid.UUID(context.principal.id) if context.principal.kind is PrincipalKind.API_KEY else None

    def wanted(change: Change) -> bool:
        return (
            concerns(change)
            or watched.concerns_access(change)
            or (change.kind == "api_key" and own_key is not None and change.id == own_key)
            or (own_key is not None and change.kind in ENABLEMENT_CHANGES)  # API access may be off now
        )

    if context.live is None:
        raise Unavailable("Subscriptions are not available on this server.")
    try:
        async with context.live.watching(wanted) as watch:
            while True:
                change = await watch.next()
                await _still_allowed(context, watched)
                if concerns(change):
                    context.release()  # what the last event loaded (rows, feature views) goes
                    yield change
    except LiveChangesEnded as ended:
        raise Unavailable(str(ended)) from None


async def _reachable(context: Context, carrier_global_id: str) -> CarrierRow:
    return await _in_reach(context, carrier_global_id, "Carrier", carriers.by_ids)


async def _reachable_organization(context: Context, global_id: str) -> OrganizationRow:
    return await _in_reach(context, global_id, "Organization", organizations.by_ids)


async def _in_reach(
    context: Context, global_id: str, type_name: str, by_ids: Callable[..., Awaitable[dict[uuid.UUID, Row]]]
) -> Row:
    """The object a subscription names, in the subscriber's reach; NOT_FOUND otherwise, as a query's
    null (a subscription's field cannot be null)."""
    argument = f"{type_name[0].lower()}{type_name[1:]}Id"
    try:
        row_id = validation.object_id(global_id, type_name=type_name, field=argument)
    except NotFound as failure:
        raise NotFound(failure.message, argument=argument) from None
    found = await _fresh(context, by_ids, row_id)
    if found is None:
        raise NotFound(validation.not_found(type_name, global_id, argument).message, argument=argument)
    return found


async def _still_allowed(context: Context, watched: Watched) -> None:
    """Bring the subscriber's rights up to date; raise when its key no longer works or what is watched
    is out of its reach."""
    async with _connection(context) as conn:
        principal = context.principal
        if principal.kind is PrincipalKind.API_KEY and principal.id:
            context.principal = principal = await _key_as_now(context, conn, uuid.UUID(principal.id))
        if watched.carrier is not None:
            carrier = watched.carrier
            if carrier.id not in await carriers.by_ids(conn, reach=principal.reach, ids=[carrier.id]):
                raise Forbidden(
                    f"Carrier {carrier.code} is no longer within your reach (it left the organization you "
                    "administer, or your access changed): the subscription ended.",
                    carrierId=to_global_id("Carrier", carrier.id),
                )
        elif watched.organization is not None:
            organization = watched.organization
            if organization.id not in await organizations.by_ids(
                conn, reach=principal.reach, ids=[organization.id]
            ):
                raise Forbidden(
                    f"Organization {organization.name} is no longer within your reach: the subscription "
                    "ended.",
                    organizationId=to_global_id("Organization", organization.id),
                )


async def _key_as_now(context: Context, conn: Connection, key_id: uuid.UUID) -> Principal:
    """What the subscriber's key may do now, judged as a request with it would be."""
    found = await api_keys.verified_by_id(
        conn, key_id=key_id, access_feature=context.settings.api_access_feature
    )
    if found is None:
        raise Unauthenticated("The API key this subscription runs with no longer exists: it ended.")
    address = ip_address(context.client_address) if context.client_address else None
    judged = judge_key(found, address, context.now(), context.settings.api_access_feature)
    if isinstance(judged, KeyRefused):
        ending = f"The API key this subscription runs with no longer works: {judged.message} It ended."
        if judged.status == 401:
            raise Unauthenticated(ending)
        raise Forbidden(ending)
    return judged


# --- enablements ---------------------------------------------------------------------------------


async def _effective_of(
    context: Context, watched: Watched
) -> dict[uuid.UUID, tuple[CarrierRow, OwnerEnablements]]:
    """Every watched carrier (the organization's, as they are now) with its enablements."""
    reach = context.principal.reach
    async with _connection(context) as conn:
        if watched.carrier is not None:
            watched_carriers = [watched.carrier]
        else:
            assert watched.organization is not None
            watched_carriers = await carriers.of_organization(
                conn, reach=reach, organization_id=watched.organization.id
            )
        found = await enablements.for_carriers(
            conn,
            reach=reach,
            owner_ids=[c.id for c in watched_carriers],
            with_updates=True,
            known=context.loaders.known_features,
        )
    empty = OwnerEnablements([], {})
    return {c.id: (c, found.get(c.id, empty)) for c in watched_carriers}


def _changed(
    carrier_id: uuid.UUID, before: OwnerEnablements, after: OwnerEnablements
) -> list[EffectiveChange]:
    """The features whose effective value changed (a feature new to the catalogue counts as a change
    from its default only if that differs; one removed is not reported)."""
    was = {row.feature_key: row.effective for row in before.rows}
    changes = []
    for row in after.rows:
        feature = after.feature(row)
        previous = was.get(row.feature_key, feature.default_enabled)
        if previous != row.effective:
            changes.append(EffectiveChange(carrier_id, feature.id, previous, row.effective, row.source))
    return changes
