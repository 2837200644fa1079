"""Ending a rotated key's grace period early: revokeApiKey on the old key stops it at once, whenever in
its grace period it is called, while its replacement keeps working; the activity row shows the grace
period cut short (`revokedAt` before and after); the rules of every key mutation still hold."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from db.pool import Connection
from tests.conftest import ClientFactory
from tests.drawn import drawn
from tests.factories import bearer
from tests.keys import (
    REVOKE_API_KEY,
    ROTATE_API_KEY,
    Clock,
    admin,
    issue,
    key_uuid,
    mutate,
    new_carrier,
    post,
    viewer_status,
    when,
)

RULE = "... on ForbiddenError { rule }"
# (grace period in seconds, how far into it the old key is stopped, as a fraction)
MOMENTS = st.tuples(st.integers(60, 604_800), st.floats(0, 0.999, allow_nan=False))


async def test_revoking_the_old_key_ends_its_grace_period_whenever_it_is_called(
    make_client: ClientFactory, conn: Connection
) -> None:
    for grace, fraction in drawn(MOMENTS, 6):
        # given: a key rotated with this grace period, some way into it
        clock = Clock()
        client = await make_client(now=clock)
        carrier = await new_carrier(conn)
        old = await issue(client, clock.staff(), carrier, description="Yard feed")
        rotated = await mutate(
            client, ROTATE_API_KEY, clock.staff(), id=old["apiKey"]["id"], gracePeriodSeconds=grace
        )
        grace_end = clock.at + timedelta(seconds=grace)
        clock.set(clock.at + timedelta(seconds=int(grace * fraction)))
        assert (await viewer_status(client, old["secret"])).status == 200

        # when: an administrator of the carrier ends the grace period now
        result = await mutate(
            client,
            REVOKE_API_KEY,
            admin(carrier.code, at=clock.at),
            id=old["apiKey"]["id"],
            reason="Every integration uses the new key",
        )

        # then: the old key stops at once; its replacement is untouched
        assert result["__typename"] == "ApiKeyPayload", result
        assert result["apiKey"]["status"] == "REVOKED"
        assert when(result["apiKey"]["revokedAt"]) == clock.at
        assert (await viewer_status(client, old["secret"])).status == 401
        assert (await viewer_status(client, rotated["secret"])).status == 200
        # the activity row: who, why, and the grace period's end moved to now
        row = await conn.fetchrow(
            "select * from activity_log where action = 'apiKey.revoke' and target_id = $1",
            key_uuid(old["apiKey"]["id"]),
        )
        assert row is not None
        assert (row["actor_kind"], row["reason"]) == ("admin", "Every integration uses the new key")
        assert row["carrier_id"] == carrier.id
        assert when(row["before"]["revokedAt"]) == grace_end
        assert row["before"]["status"] == "ACTIVE"
        assert when(row["after"]["revokedAt"]) == clock.at
        assert row["after"]["status"] == "REVOKED"
        assert old["secret"] not in str(dict(row))


async def test_ending_a_grace_period_follows_the_rules_of_every_key_mutation(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: a key with KEYS_WRITE rotated with a day of grace
    clock = Clock()
    client = await make_client(now=clock)
    carrier, other = await new_carrier(conn), await new_carrier(conn)
    old = await issue(client, clock.staff(), carrier, scopes=["CARRIER_READ", "KEYS_WRITE"])
    rotated = await mutate(
        client, ROTATE_API_KEY, clock.staff(), id=old["apiKey"]["id"], gracePeriodSeconds=86_400
    )
    reader = await issue(client, clock.staff(), carrier, scopes=["KEYS_READ"])
    old_id = old["apiKey"]["id"]
    revoke_with_rule = REVOKE_API_KEY.replace("... on UserError {", f"{RULE} ... on UserError {{", 1)

    # a reason is required: a typed error at the field, nothing changes
    blank = await mutate(client, REVOKE_API_KEY, clock.staff(), id=old_id, reason="  ")
    assert (blank["__typename"], blank["field"]) == ("ValidationError", "reason")
    # another tenant's administrator does not find the key
    foreign = await mutate(client, REVOKE_API_KEY, admin(other.code, at=clock.at), id=old_id, reason="x")
    assert (foreign["__typename"], foreign["field"]) == ("NotFoundError", "id")
    # a key without KEYS_WRITE is refused by its scopes
    unscoped = await post(
        client, REVOKE_API_KEY, {"input": {"id": old_id, "reason": "x"}}, bearer(reader["secret"])
    )
    assert unscoped.body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # the old key, in its grace period, manages no keys: not even its own end
    own = await post(
        client, revoke_with_rule, {"input": {"id": old_id, "reason": "x"}}, bearer(old["secret"])
    )
    result = own.body["data"]["revokeApiKey"]
    assert (result["__typename"], result["rule"]) == ("ForbiddenError", "CALLER_IN_GRACE_PERIOD")
    assert (await viewer_status(client, old["secret"])).status == 200
    assert (
        await conn.fetchval(
            "select count(*) from activity_log where action = 'apiKey.revoke' and outcome = 'succeeded'"
            " and target_id = $1",
            key_uuid(old_id),
        )
        == 0
    )

    # when: the replacement (the integration now runs on it) ends its predecessor's grace period
    ended = await post(
        client,
        revoke_with_rule,
        {"input": {"id": old_id, "reason": "Cut over to the new key"}},
        bearer(rotated["secret"]),
    )

    # then
    assert ended.body["data"]["revokeApiKey"]["__typename"] == "ApiKeyPayload", ended.body
    assert (await viewer_status(client, old["secret"])).status == 401
    assert (await viewer_status(client, rotated["secret"])).status == 200
