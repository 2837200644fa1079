"""A subscriber that asks (`extensions.announceWatching: true`) is told when its subscription receives
every change: `{"data": null, "extensions": {"watching": true}}`, once, before any event. A page that
read a list before that reads it again after it and misses nothing (the gap between a read and the
subscription's start); a client that does not ask gets no such message.

Generated: sets of subscriptions on one connection, of the kinds a page watches, each asking or not; a
change made the moment the last announcement arrives (nothing else waited on) reaches every subscription.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from hypothesis import strategies as st

from resolvers.global_ids import to_global_id
from services.change_feed import ChangeFeed
from services.live_changes import ANNOUNCE_WATCHING, LiveChanges
from tests import factories
from tests.drawn import drawn
from tests.web.live_socket import Live, Socket, live_app, socket

WATCHING = {"data": None, "extensions": {"watching": True}}
KINDS = {
    "activity": "subscription ($c: ID) { activityAppended(carrierId: $c) { action } }",
    "enablements": "subscription ($c: ID) { enablementsChanged(carrierId: $c) { carrier { code } } }",
    "requests": "subscription { changeRequestsChanged { state } }",
}
# Renaming the carrier appends an activity event; turning a feature on changes its enablements; a
# request to Support (asked by staff here) is a change request.
RENAME = """mutation ($c: ID!, $name: String!) {
  updateCarrier(input: {id: $c, name: $name}) { __typename } }"""
SWITCH = """mutation ($c: ID!, $f: String!, $s: EnablementState!) {
  setCarrierEnablement(input: {carrierId: $c, featureKey: $f, state: $s, reason: "test"}) { __typename } }"""


@dataclass(frozen=True)
class Subscription:
    kind: str
    announced: bool


SETS = st.lists(
    st.builds(Subscription, st.sampled_from(sorted(KINDS)), st.booleans()), min_size=1, max_size=4
)


async def test_an_announced_subscription_hears_a_change_made_at_once(own_database: str) -> None:
    conn = await asyncpg.connect(own_database)
    code = factories.unique_code("W")
    carrier = await factories.carrier(conn, code)
    await factories.feature(conn, "watching.feature")
    await conn.close()
    staff = factories.staff_token()
    carrier_id = to_global_id("Carrier", carrier)
    async with live_app(own_database) as live:
        for number, subscriptions in enumerate(drawn(SETS, 12)):
            async with socket(live) as ws:
                await ws.init(staff)
                before = live.watches()
                for index, wanted in enumerate(subscriptions):
                    extensions = {"announceWatching": True} if wanted.announced else {}
                    await ws.send(
                        {
                            "id": str(index),
                            "type": "subscribe",
                            "payload": {
                                "query": KINDS[wanted.kind],
                                "variables": {"c": carrier_id} if wanted.kind != "requests" else {},
                                "extensions": extensions,
                            },
                        }
                    )
                announced = {str(i) for i, s in enumerate(subscriptions) if s.announced}
                # then: each that asked is told once, after its watch is registered
                told: set[str] = set()
                while told != announced:
                    message = await ws.message()
                    assert (message["type"], message["payload"]) == ("next", WATCHING), message
                    assert message["id"] in announced - told, (message, subscriptions)
                    told.add(message["id"])
                    assert len(live.watches() - before) >= len(told), subscriptions
                if len(announced) < len(subscriptions):
                    await live.until_watched(before, len(subscriptions))  # the others said nothing
                # when: a change of every kind, made at once
                await _change_everything(live, staff, (code, carrier_id), number)
                # then: every subscription hears it, and no second announcement comes
                await _until_each_heard(ws, len(subscriptions))


async def test_no_announcement_is_sent_unless_asked(own_database: str) -> None:
    conn = await asyncpg.connect(own_database)
    carrier = await factories.carrier(conn, factories.unique_code("W"))
    await conn.close()
    staff = factories.staff_token()
    async with live_app(own_database) as live, socket(live) as ws:
        await ws.init(staff)
        before = live.watches()
        await ws.subscribe("plain", KINDS["activity"], {"c": to_global_id("Carrier", carrier)})
        await live.until_watched(before, 1)
        await live.post(
            RENAME, staff, c=to_global_id("Carrier", carrier), name=f"Renamed {uuid.uuid4().hex[:6]}"
        )
        message = await ws.message()
        assert message["type"] == "next"
        assert message["payload"] == {"data": {"activityAppended": {"action": "carrier.update"}}}


async def _change_everything(live: Live, staff: str, carrier: tuple[str, str], number: int) -> None:
    """Renames the carrier, switches its feature, and asks Support for an organization for it."""
    code, carrier_id = carrier
    status, renamed = await live.post(RENAME, staff, c=carrier_id, name=f"Watched {number}")
    assert (status, renamed["data"]["updateCarrier"]["__typename"]) == (200, "CarrierPayload"), renamed
    state = "ENABLED" if number % 2 == 0 else "DISABLED"
    status, switched = await live.post(SWITCH, staff, c=carrier_id, f="watching.feature", s=state)
    assert (status, switched["data"]["setCarrierEnablement"]["__typename"]) == (200, "EnablementPayload"), (
        switched
    )
    status, asked = await live.post(
        """mutation ($name: String!) { requestChange(input: {reason: "Watching",
             createOrganization: {name: $name}}) { __typename } }""",
        factories.admin_token(carriers=[code], subject=f"watcher-{number}"),
        name=f"Watchers {uuid.uuid4().hex[:8]}",
    )
    assert (status, asked["data"]["requestChange"]["__typename"]) == (200, "ChangeRequestPayload"), asked


async def _until_each_heard(ws: Socket, count: int) -> None:
    """Until every one of `count` subscriptions ("0", "1", ...) has had an event; none is an announcement."""
    waiting = {str(i) for i in range(count)}
    while waiting:
        message = await ws.message()
        assert message["type"] == "next", message
        assert message["payload"] != WATCHING, message
        waiting.discard(message["id"])


async def test_the_announcement_is_made_once_the_watch_receives_changes(feed: ChangeFeed) -> None:
    live = LiveChanges(feed)
    registered_when_announced: list[bool] = []

    async def announce() -> None:
        registered_when_announced.append(len(live.watches) == 1)

    token = ANNOUNCE_WATCHING.set(announce)
    try:
        async with live.watching(lambda change: True):
            pass
    finally:
        ANNOUNCE_WATCHING.reset(token)
    assert registered_when_announced == [True]
    async with live.watching(lambda change: True):  # a subscription that did not ask: nothing
        pass
    assert registered_when_announced == [True]
