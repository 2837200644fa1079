"""Who is calling, and what they may reach: the principal, its reach and its scopes.

Two different limits, named apart: a principal's `reach` is which carriers it may see (its tenancy);
its `scopes` are which operations an API key may perform there. A principal is decided once per request
(web/authentication.py; for a subscription, again before each event: resolvers/live.py) and never
changes during it. Its `reach` is what every tenant-bound SQL statement receives, through the database
function `carrier_in_scope(...)` (named before the rename; a migration would rename it for no reader's
gain), so a new field cannot forget tenant isolation.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from access.addresses import IPNetwork


class PrincipalKind(enum.Enum):
    STAFF = "staff"
    ADMIN = "admin"
    API_KEY = "api_key"
    ANONYMOUS = "anonymous"
    SYSTEM = "system"


class Scope(enum.Enum):
    """What an API key may do. People hold every scope within their tenancy."""

    CARRIER_READ = "carrier:read"
    ENABLEMENTS_READ = "enablements:read"
    KEYS_READ = "keys:read"
    KEYS_WRITE = "keys:write"
    ACTIVITY_READ = "activity:read"


ALL_SCOPES = frozenset(Scope)
# What a service key (staff-issued, for other services, reaching every carrier) may hold: reads only.
SERVICE_SCOPES = frozenset({Scope.CARRIER_READ, Scope.ENABLEMENTS_READ})
# A scope that includes others: who may change keys may read them (GitHub's "read and write").
IMPLIED: dict[Scope, frozenset[Scope]] = {Scope.KEYS_WRITE: frozenset({Scope.KEYS_READ})}


def with_implied(scopes: frozenset[Scope]) -> frozenset[Scope]:
    """The scopes and every scope they include."""
    return scopes.union(*(IMPLIED.get(scope, frozenset()) for scope in scopes))


@dataclass(frozen=True, slots=True)
class KeyGrant:
    """What an API key holds, and so the most it may hand out to a key it creates or changes."""

    scopes: frozenset[Scope]  # with the implied ones
    # Where it may be used from; empty: anywhere.
    networks: tuple[IPNetwork, ...]
    expires_at: datetime | None
    # Rotated away, still working until its grace period ends: it may no longer manage keys.
    rotating: bool


@dataclass(frozen=True, slots=True)
class Reach:
    """The carriers a principal may reach: all of them, or these carriers and these organizations'."""

    everything: bool = False
    carrier_ids: tuple[uuid.UUID, ...] = ()
    organization_ids: tuple[uuid.UUID, ...] = ()

    def params(self) -> tuple[bool, list[uuid.UUID], list[uuid.UUID]]:
        """The three arguments of `carrier_in_scope(...)` in SQL, in order."""
        return self.everything, list(self.carrier_ids), list(self.organization_ids)


NOTHING = Reach()
EVERYTHING = Reach(everything=True)


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    # A person's subject, an API key's id, or a fixed name for the system.
    id: str | None = None
    name: str | None = None
    email: str | None = None
    reach: Reach = NOTHING
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    # For an API key: its carrier (None for a service key). For a person: None.
    carrier_id: uuid.UUID | None = None
    # For an API key: what it holds. For a person: None (people's rules are the policy's).
    grant: KeyGrant | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind in (PrincipalKind.STAFF, PrincipalKind.SYSTEM)

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not PrincipalKind.ANONYMOUS

    def holds(self, scope: Scope) -> bool:
        return scope in self.scopes

    def audit_fields(self) -> tuple[str, str | None, str | None]:
        """(kind, id, name) as the activity log and the `*_by_*` columns record them."""
        return self.kind.value, self.id, self.name


ANONYMOUS = Principal(kind=PrincipalKind.ANONYMOUS)
SYSTEM = Principal(
    kind=PrincipalKind.SYSTEM,
    id="system",
    name="carrier-admin",
    reach=EVERYTHING,
    scopes=ALL_SCOPES,
)


def staff(subject: str, name: str | None, email: str | None) -> Principal:
    return Principal(
        kind=PrincipalKind.STAFF,
        id=subject,
        name=name,
        email=email,
        reach=EVERYTHING,
        scopes=ALL_SCOPES,
    )


def admin(
    subject: str,
    name: str | None,
    email: str | None,
    carrier_ids: tuple[uuid.UUID, ...],
    organization_ids: tuple[uuid.UUID, ...],
) -> Principal:
    return Principal(
        kind=PrincipalKind.ADMIN,
        id=subject,
        name=name,
        email=email,
        reach=Reach(carrier_ids=carrier_ids, organization_ids=organization_ids),
        scopes=ALL_SCOPES,
    )


def api_key(key_id: uuid.UUID, description: str, carrier_id: uuid.UUID | None, grant: KeyGrant) -> Principal:
    """A carrier's key reaches its carrier; a service key (no carrier) reaches every carrier, and holds
    only read scopes (SERVICE_SCOPES, a constraint in the database)."""
    return Principal(
        kind=PrincipalKind.API_KEY,
        id=str(key_id),
        name=description,
        reach=Reach(carrier_ids=(carrier_id,)) if carrier_id is not None else EVERYTHING,
        scopes=grant.scopes,
        carrier_id=carrier_id,
        grant=grant,
    )
