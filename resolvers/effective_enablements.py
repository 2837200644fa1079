"""effectiveEnablements: which of these features are effective for these carriers, for other services
reading in bulk (a service key with ENABLEMENTS_READ reaches every carrier). Two statements however
many carriers and features: the effective values, and the catalogue keys asked for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from context import Context
from db import enablements, features
from db.enablements import CarrierFeatures
from resolvers import filters
from resolvers.errors import BadUserInput
from resolvers.global_ids import from_global_id

MAX_CARRIERS = 1000
MAX_FEATURES = 200


@dataclass(frozen=True, slots=True)
class BulkEnablements:
    # In the order asked (ids, then codes), each carrier once.
    carriers: list[CarrierFeatures]
    # Ids and codes, as given, that name no carrier in the caller's reach.
    unknown_carriers: list[str]
    # Feature keys, as given, that are not in the catalogue.
    unknown_features: list[str]


async def effective_enablements(
    context: Context,
    *,
    carrier_ids: Sequence[str] | None,
    carrier_codes: Sequence[str] | None,
    feature_keys: Sequence[str] | None,
) -> BulkEnablements:
    ids, codes = _checked(carrier_ids, carrier_codes, feature_keys)
    keys = list(dict.fromkeys(feature_keys)) if feature_keys is not None else None
    decoded = {global_id: _carrier_uuid(global_id) for global_id in ids}
    async with context.db.acquire() as conn:
        found = await enablements.effective_for_many(
            conn,
            reach=context.principal.reach,
            carrier_ids=[carrier_id for carrier_id in decoded.values() if carrier_id is not None],
            codes=codes,
            feature_keys=keys,
        )
        catalogue = await features.by_keys(conn, keys=keys) if keys else {}
    by_code = {carrier.code: carrier for carrier in found.values()}
    answers = [
        (global_id, found.get(carrier_id) if carrier_id else None)
        for global_id, carrier_id in decoded.items()
    ]
    answers += [(code, by_code.get(code.strip().upper())) for code in codes]
    listed: dict[uuid.UUID, CarrierFeatures] = {}
    unknown: list[str] = []
    for named, carrier in answers:
        if carrier is None:
            unknown.append(named)
        else:
            listed.setdefault(carrier.carrier_id, carrier)
    return BulkEnablements(
        carriers=list(listed.values()),
        unknown_carriers=list(dict.fromkeys(unknown)),
        unknown_features=[key for key in keys or () if key not in catalogue],
    )


def _checked(
    carrier_ids: Sequence[str] | None, carrier_codes: Sequence[str] | None, feature_keys: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    ids, codes = list(carrier_ids or ()), list(carrier_codes or ())
    if not ids and not codes:
        raise BadUserInput("Name the carriers: `carrierIds`, `carrierCodes` or both.", argument="carrierIds")
    if len(ids) + len(codes) > MAX_CARRIERS:
        raise BadUserInput(
            f"At most {MAX_CARRIERS} carriers per request (ids and codes together); split the list.",
            argument="carrierIds" if ids else "carrierCodes",
        )
    if feature_keys is not None and len(feature_keys) > MAX_FEATURES:
        raise BadUserInput(f"At most {MAX_FEATURES} feature keys per request.", argument="featureKeys")
    for argument, values in (
        ("carrierIds", ids),
        ("carrierCodes", codes),
        ("featureKeys", feature_keys or []),
    ):
        for value in values:
            filters.text(value, argument)
    return ids, codes


def _carrier_uuid(global_id: str) -> uuid.UUID | None:
    decoded = from_global_id(global_id)
    return decoded[1] if decoded is not None and decoded[0] == "Carrier" else None
