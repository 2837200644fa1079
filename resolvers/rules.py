"""The object-level rules: what the state of an object, or the caller's own key, allows, beyond the
access marks of the field (schema/enforcement.py judges those).

Each rule is written once, as a pure function of the facts it needs that returns a Refusal or None.
A mutation raises it (`refuse`): the refusal becomes the member of its error union. `viewer.permissions`
and `Carrier.permissions` report it (schema/permissions.py), so that the page disables a control with
the same words the mutation would answer. Which rules apply to which operation is OPERATION_RULES.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from access.principal import Principal, PrincipalKind
from resolvers.errors import ApiError, BadUserInput, Forbidden, ForbiddenRule, LimitReached


@dataclass(frozen=True, slots=True)
class CarrierFacts:
    """What about a carrier (or, for service keys, the platform) the rules judge by."""

    code: str | None  # None: the platform's service keys, which belong to no carrier
    api_access: bool  # its API access feature (API_ACCESS_FEATURE) is on, or not in the catalogue
    api_access_feature: str
    active_keys: int  # keys in a rotation's grace period count
    key_limit: int
    organization_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a rule refuses, for a person to read; raised as the failure a mutation answers."""

    message: str
    rule: ForbiddenRule | None = None  # a rule of who may do what (ForbiddenError.rule)
    limit: int | None = None  # a limit reached (LimitReachedError.limit)
    field: str | None = None

    def failure(self) -> ApiError:
        if self.limit is not None:
            return LimitReached(self.message, limit=self.limit, field=self.field)
        if self.rule is not None:
            return Forbidden(self.message, rule=self.rule, field=self.field)
        return BadUserInput(self.message, field=self.field)


def refuse(refusal: Refusal | None) -> None:
    """Raise the refusal as the mutation's failure, if a rule refused."""
    if refusal is not None:
        raise refusal.failure()


# --- the caller's own key ----------------------------------------------------------------------------


def caller_in_grace_period(principal: Principal) -> Refusal | None:
    """A key rotated away works until its grace period ends, but no longer manages keys."""
    if principal.grant is not None and principal.grant.rotating:
        return Refusal(
            "This key was rotated and works only until its grace period ends: it cannot manage keys any "
            "more. Use its replacement.",
            rule=ForbiddenRule.CALLER_IN_GRACE_PERIOD,
        )
    return None


def service_keys_by_staff(principal: Principal, field: str | None = "id") -> Refusal | None:
    """Service keys reach every carrier: only staff (people) issue and manage them."""
    if principal.is_staff and principal.grant is None:
        return None
    return Refusal(
        "Only the platform's staff manage service keys.", rule=ForbiddenRule.SERVICE_KEY, field=field
    )


def not_organization_administrator(principal: Principal, organization_id: uuid.UUID | None) -> Refusal | None:
    """An organization's key policy is set by staff and the organization's own administrators (a
    carrier's administrators may not: it binds the organization's other carriers too); not by keys."""
    if principal.is_staff:
        return None
    if principal.grant is not None:
        message = "An API key cannot change a key policy; the organization's administrators or staff do."
    elif organization_id is None:
        if principal.reach.organization_ids:
            return None
        message = "Only an organization's administrators (and staff) set its key policy."
    elif organization_id in principal.reach.organization_ids:
        return None
    else:
        message = (
            "Only the organization's administrators (and staff) set its key policy; you administer a "
            "carrier of it, not the organization."
        )
    return Refusal(message, rule=ForbiddenRule.POLICY_NOT_ADMINISTRATOR, field="organizationId")


def organization_administrator(principal: Principal) -> Refusal | None:
    """Before the organization is known (viewer.permissions): whether the caller could be one."""
    return not_organization_administrator(principal, None)


def organization_administrator_of_carrier(principal: Principal, facts: CarrierFacts) -> Refusal | None:
    """For a carrier (Carrier.permissions): whether the caller sets its organization's key policy."""
    if facts.organization_id is None:
        return Refusal("The carrier is in no organization.", field="carrierId")
    return not_organization_administrator(principal, facts.organization_id)


def people_only(principal: Principal) -> Refusal | None:
    """Requests to Support are between people: an API key neither requests nor answers one."""
    if principal.kind in (PrincipalKind.STAFF, PrincipalKind.ADMIN):
        return None
    return Refusal(
        "Only people request changes from Support (or answer them): an API key cannot.",
        rule=ForbiddenRule.PEOPLE_ONLY,
    )


# --- the carrier -------------------------------------------------------------------------------------


def api_access_off(facts: CarrierFacts) -> Refusal | None:
    """No key is issued for a carrier whose API access is off (service keys are of no carrier)."""
    if facts.api_access or facts.code is None:
        return None
    return Refusal(
        f"API access ({facts.api_access_feature}) is off for carrier {facts.code}: its keys do not work "
        "and no key is issued until it is turned on again.",
        rule=ForbiddenRule.API_ACCESS_DISABLED,
        field="carrierId",
    )


def no_room_for_a_key(facts: CarrierFacts) -> Refusal | None:
    """One more active key would pass the limit (service keys, together, have the same limit)."""
    owner = f"Carrier {facts.code}" if facts.code is not None else "The platform"
    what = "active keys" if facts.code is not None else "active service keys"
    return _at_key_limit(
        facts,
        f"{owner} already has {facts.active_keys} {what}, the most allowed (keys in a rotation's grace "
        "period count); revoke one it no longer uses.",
    )


def no_room_beside_the_old_key(facts: CarrierFacts) -> Refusal | None:
    """A rotation with a grace period keeps the old key active beside the new one: it needs room."""
    return _at_key_limit(
        facts,
        f"The carrier has {facts.active_keys} active keys, the most allowed: the old key cannot stay for a "
        "grace period beside the new one. Rotate without one, or revoke a key first.",
        field="gracePeriodSeconds",
    )


def _at_key_limit(facts: CarrierFacts, message: str, field: str | None = None) -> Refusal | None:
    """The active key limit, which keys in a rotation's grace period count against; `message` says
    what it stops."""
    if facts.active_keys < facts.key_limit:
        return None
    return Refusal(message, limit=facts.key_limit, field=field)


def already_in_an_organization(facts: CarrierFacts) -> Refusal | None:
    if facts.organization_id is None:
        return None
    return Refusal("The carrier is already in an organization: move or detach it instead.", field="carrierId")


def in_no_organization(facts: CarrierFacts) -> Refusal | None:
    if facts.organization_id is not None:
        return None
    return Refusal("The carrier is in no organization.", field="carrierId")


# --- which rules each operation follows ----------------------------------------------------------------

CallerRule = Callable[[Principal], Refusal | None]
CarrierRule = Callable[[CarrierFacts], Refusal | None]
CallerCarrierRule = Callable[[Principal, CarrierFacts], Refusal | None]

# Operations by name: mutations (as the schema names them), the CSV exports, and one that is not a field
# of its own, a rotation whose old key stays for a grace period (rotateApiKeyWithGracePeriod).
CALLER_RULES: dict[str, tuple[CallerRule, ...]] = {
    "createApiKey": (caller_in_grace_period,),
    "updateApiKey": (caller_in_grace_period,),
    "rotateApiKey": (caller_in_grace_period,),
    "rotateApiKeyWithGracePeriod": (caller_in_grace_period,),
    "revokeApiKey": (caller_in_grace_period,),
    "setOrganizationKeyPolicy": (organization_administrator,),
    "requestChange": (people_only,),
    "approveChangeRequest": (people_only,),
    "declineChangeRequest": (people_only,),
    "withdrawChangeRequest": (people_only,),
}
CARRIER_RULES: dict[str, tuple[CarrierRule, ...]] = {
    "createApiKey": (api_access_off, no_room_for_a_key),
    "rotateApiKey": (api_access_off,),
    "rotateApiKeyWithGracePeriod": (api_access_off, no_room_beside_the_old_key),
    "createOrganization": (already_in_an_organization,),
    "attachCarrierToOrganization": (already_in_an_organization,),
    "moveCarrierToOrganization": (in_no_organization,),
}
# Rules that judge the caller against the carrier (its organization).
CALLER_CARRIER_RULES: dict[str, tuple[CallerCarrierRule, ...]] = {
    "setOrganizationKeyPolicy": (organization_administrator_of_carrier,),
}


def first_refusal(operation: str, principal: Principal, facts: CarrierFacts | None = None) -> Refusal | None:
    """The first rule of `operation` that refuses, for this caller (and this carrier, given its facts)."""
    for caller_rule in CALLER_RULES.get(operation, ()):
        if (refusal := caller_rule(principal)) is not None:
            return refusal
    if facts is not None:
        for carrier_rule in CARRIER_RULES.get(operation, ()):
            if (refusal := carrier_rule(facts)) is not None:
                return refusal
        for caller_carrier_rule in CALLER_CARRIER_RULES.get(operation, ()):
            if (refusal := caller_carrier_rule(principal, facts)) is not None:
                return refusal
    return None
