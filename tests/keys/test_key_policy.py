"""apiKeyPolicy: the numbers the page reads are the server's, whatever the deployment sets."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.conftest import ClientFactory
from tests.drawn import drawn
from tests.keys import post, staff

POLICY = """{ apiKeyPolicy { defaultLifetimeDays maxLifetimeDays maxActiveKeysPerCarrier
  maxActiveServiceKeys serviceKeyScopes unusedAfterDays nonExpiringAllowed nonExpiringAllowedFor } }"""
DEPLOYMENTS = st.fixed_dictionaries(
    {
        "key_max_lifetime_days": st.integers(1, 3650),
        "max_active_keys_per_carrier": st.integers(1, 500),
        "key_unused_after_days": st.integers(1, 365),
        "allow_non_expiring_keys": st.booleans(),
    }
)


async def test_the_policy_is_what_the_deployment_set(make_client: ClientFactory) -> None:
    for deployment in drawn(DEPLOYMENTS, 8):
        settings: dict[str, Any] = {
            **deployment,
            "key_default_lifetime_days": min(90, deployment["key_max_lifetime_days"]),
        }
        client = await make_client(**settings)
        policy = (await post(client, POLICY, headers=staff())).body["data"]["apiKeyPolicy"]
        assert policy == {
            "defaultLifetimeDays": settings["key_default_lifetime_days"],
            "maxLifetimeDays": settings["key_max_lifetime_days"],
            "maxActiveKeysPerCarrier": settings["max_active_keys_per_carrier"],
            "maxActiveServiceKeys": settings["max_active_keys_per_carrier"],
            "serviceKeyScopes": ["CARRIER_READ", "ENABLEMENTS_READ"],
            "unusedAfterDays": settings["key_unused_after_days"],
            "nonExpiringAllowed": settings["allow_non_expiring_keys"],
            "nonExpiringAllowedFor": ["STAFF"] if settings["allow_non_expiring_keys"] else [],
        }
