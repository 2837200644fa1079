"""apiKeyPolicy: the numbers the page reads are the server's, whatever the deployment sets."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.conftest import ClientFactory
from tests.drawn import drawn
from tests.keys import post, staff

POLICY = """{ apiKeyPolicy { defaultLifetimeDays maxLifetimeDays maxActiveKeysPerCarrier
  maxActiveServiceKeys serviceKeyScopes unusedAfterDays nonExpiringAllowed nonExpiringAllowedFor
  lifetimeChoicesDays } }"""
DEPLOYMENTS = st.fixed_dictionaries(
    {
        "key_max_lifetime_days": st.integers(1, 3650),
        "key_default_lifetime_days": st.integers(1, 3650),
        "max_active_keys_per_carrier": st.integers(1, 500),
        "key_unused_after_days": st.integers(1, 365),
        "allow_non_expiring_keys": st.booleans(),
    }
)


async def test_the_policy_is_what_the_deployment_set(make_client: ClientFactory) -> None:
    for deployment in drawn(DEPLOYMENTS, 8):
        settings: dict[str, Any] = {
            **deployment,
            "key_default_lifetime_days": min(
                deployment["key_default_lifetime_days"], deployment["key_max_lifetime_days"]
            ),
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
            "lifetimeChoicesDays": policy["lifetimeChoicesDays"],
        }
        # the usual lifetimes the maximum allows, and the default; shortest first, none twice
        choices = policy["lifetimeChoicesDays"]
        assert choices == sorted(set(choices))
        assert settings["key_default_lifetime_days"] in choices
        assert all(days <= settings["key_max_lifetime_days"] for days in choices)
        usual = {7, 30, 60, 90}
        assert set(choices) - {settings["key_default_lifetime_days"]} == {
            days for days in usual if days <= settings["key_max_lifetime_days"]
        } - {settings["key_default_lifetime_days"]}


async def test_each_scope_is_a_resource_and_a_level_of_access(make_client: ClientFactory) -> None:
    client = await make_client()

    reply = await post(
        client, "{ apiKeyPolicy { scopes { scope resource access includes } } }", headers=staff()
    )

    scopes = {s["scope"]: s for s in reply.body["data"]["apiKeyPolicy"]["scopes"]}
    # a resource has at most one scope per level, and a writing scope includes the reading one
    by_level = {(s["resource"], s["access"]) for s in scopes.values()}
    assert len(by_level) == len(scopes)
    for scope in scopes.values():
        if scope["access"] == "WRITE":
            reading = [
                s["scope"]
                for s in scopes.values()
                if (s["resource"], s["access"]) == (scope["resource"], "READ")
            ]
            assert reading
            assert set(reading) <= set(scope["includes"])
    assert (scopes["KEYS_WRITE"]["resource"], scopes["KEYS_WRITE"]["access"]) == ("API keys", "WRITE")
