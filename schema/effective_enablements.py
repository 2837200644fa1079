"""The bulk answer of effectiveEnablements: per carrier, the effective value of each feature asked for."""

from __future__ import annotations

import strawberry

from db.enablements import CarrierFeatures, EffectiveFeature
from resolvers.effective_enablements import BulkEnablements
from resolvers.global_ids import to_global_id
from schema.enums import EnablementSource


@strawberry.type(name="EffectiveFeature", description="A feature's effective value for one carrier.")
class EffectiveFeatureValue:
    key: str = strawberry.field(description="The feature's key, e.g. billing.demurrage.")
    enabled: bool = strawberry.field(description="Whether the feature is on for the carrier.")
    source: EnablementSource = strawberry.field(description="Which level the value comes from.")

    @classmethod
    def of(cls, feature: EffectiveFeature) -> EffectiveFeatureValue:
        return cls(key=feature.key, enabled=feature.effective, source=feature.source)


@strawberry.type(description="One carrier's effective features.")
class CarrierEffectiveFeatures:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier's global id.")
    code: str = strawberry.field(description="The carrier's code.")
    features: list[EffectiveFeatureValue] = strawberry.field(description="The features asked for, by key.")

    @classmethod
    def of(cls, carrier: CarrierFeatures) -> CarrierEffectiveFeatures:
        return cls(
            carrier_id=to_global_id("Carrier", carrier.carrier_id),
            code=carrier.code,
            features=[EffectiveFeatureValue.of(f) for f in carrier.features],
        )


@strawberry.type(description="Which features are effective for which carriers, in one answer.")
class EffectiveEnablements:
    carriers: list[CarrierEffectiveFeatures] = strawberry.field(
        description="The carriers found, in the order asked (ids, then codes), each once."
    )
    unknown_carriers: list[str] = strawberry.field(
        description="Ids and codes, as given, that name no carrier in the caller's reach."
    )
    unknown_features: list[str] = strawberry.field(
        description="Feature keys, as given, that are not in the catalogue."
    )

    @classmethod
    def of(cls, bulk: BulkEnablements) -> EffectiveEnablements:
        return cls(
            carriers=[CarrierEffectiveFeatures.of(c) for c in bulk.carriers],
            unknown_carriers=bulk.unknown_carriers,
            unknown_features=bulk.unknown_features,
        )
