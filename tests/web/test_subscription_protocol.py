"""The WebSocket protocol fuzzed (issue 21 §6): every message of graphql-transport-ws, malformed in every
way hypothesis draws, before and after connection_init, against one real app.

Each malformed frame (not JSON, JSON that is not an object, a field of the wrong type, an unknown type,
nesting up to 30,000 levels, a binary frame) closes its connection with 4400 and a reason: never HTTP
bytes written into the socket, never a 4500 or 1011, and at most one log line besides the line every
connection leaves when it closes. A message sent in the wrong state of the protocol closes with its own
44xx code. Meanwhile a subscription opened before the fuzzing still delivers its event afterwards, and
valid messages keep working on the same server.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
import pytest
from hypothesis import strategies as st

from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import TEMPLATE, copied_database
from tests.drawn import drawn
from tests.web.live_socket import WAIT, Live, Socket, live_app, socket
from web.json_limits import MAX_JSON_DEPTH
from web.ws_protocol import MAX_ID_LENGTH

PER_KIND = 30  # frames drawn of each kind, for each state: a connection each, some 20 ms
KNOWN_TYPES = ("connection_init", "ping", "pong", "subscribe", "complete")
ACTIVITY = "subscription ($c: ID!) { activityAppended(carrierId: $c) { action } }"
SET_ENABLEMENT = """mutation ($c: ID!, $f: String!) {
  setCarrierEnablement(input: {carrierId: $c, featureKey: $f, state: ENABLED, reason: "fuzzed"}) {
    __typename } }"""
# A close frame's reason is at most 123 bytes (RFC 6455).
MAX_REASON_BYTES = 123
# The deepest nesting the issue's example sent.
DEEPEST = 30_000


@dataclass(frozen=True, slots=True)
class Frame:
    """One WebSocket frame to send: text or bytes."""

    data: str | bytes

    def __repr__(self) -> str:
        return f"Frame({self.data[:80]!r}{'...' if len(self.data) > 80 else ''}, {len(self.data)} long)"


# --- what is drawn -------------------------------------------------------------------------------

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
# Text the server may echo in a close frame's reason: long, and of characters of 2 to 4 bytes in UTF-8.
wide_texts = st.text(st.characters(min_codepoint=0x80, exclude_categories=["Cs"]), min_size=20, max_size=60)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
not_object = json_values.filter(lambda value: value is not None and not isinstance(value, dict))
not_text = json_values.filter(lambda value: value is not None and not isinstance(value, str))
unknown_types = (texts | wide_texts).filter(lambda kind: kind not in KNOWN_TYPES)
good_ids = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=MAX_ID_LENGTH) | st.text(
    st.characters(min_codepoint=0x80, exclude_categories=["Cs"]),
    min_size=MAX_ID_LENGTH // 2,
    max_size=MAX_ID_LENGTH,
)
bad_ids = not_text | st.just("") | st.text(min_size=MAX_ID_LENGTH + 1, max_size=MAX_ID_LENGTH + 40)
valid_payloads = st.fixed_dictionaries(
    {},
    optional={
        "query": texts,
        "operationName": texts | st.none(),
        "variables": st.dictionaries(texts, scalars, max_size=2) | st.none(),
        "extensions": st.dictionaries(texts, scalars, max_size=2) | st.none(),
    },
)
extra_fields = st.dictionaries(
    texts.filter(lambda name: name not in ("type", "id", "payload")), scalars, max_size=2
)
OMITTED = object()


def with_field(message: dict[str, Any], name: str, value: object) -> dict[str, Any]:
    return message if value is OMITTED else {**message, name: value}


@st.composite
def wrong_type(draw: st.DrawFn) -> object:
    """`type` missing, not a string, or a type the protocol does not have."""
    kind = draw(st.just(OMITTED) | not_text | unknown_types)
    return with_field(draw(extra_fields), "type", kind)


@st.composite
def wrong_payload(draw: st.DrawFn) -> object:
    """connection_init, ping or pong whose payload is there but not an object."""
    kind = draw(st.sampled_from(("connection_init", "ping", "pong")))
    return {**draw(extra_fields), "type": kind, "payload": draw(not_object)}


@st.composite
def wrong_id(draw: st.DrawFn) -> object:
    """subscribe or complete whose id is missing, not a string, empty or too long."""
    kind = draw(st.sampled_from(("subscribe", "complete")))
    message = {**draw(extra_fields), "type": kind, "payload": draw(valid_payloads)}
    return with_field(message, "id", draw(st.just(OMITTED) | bad_ids))


@st.composite
def wrong_subscribe_payload(draw: st.DrawFn) -> object:
    """subscribe whose payload is missing or not an object, or one of whose fields has the wrong type."""
    message = {**draw(extra_fields), "type": "subscribe", "id": draw(good_ids)}
    which = draw(st.sampled_from(("payload", "query", "operationName", "variables", "extensions")))
    if which == "payload":
        return with_field(message, "payload", draw(st.just(OMITTED) | not_object))
    wrong = not_text if which in ("query", "operationName") else not_object
    return {**message, "payload": {**draw(valid_payloads), which: draw(wrong)}}


@st.composite
def too_deep(draw: st.DrawFn) -> Frame:
    """A message nested deeper than any message needs (MAX_JSON_DEPTH), up to 30,000 levels: as a
    bare list, or inside an otherwise valid message."""
    depth = draw(st.integers(min_value=MAX_JSON_DEPTH + 1, max_value=DEEPEST))
    nested = "[" * depth + "]" * depth
    where = draw(st.sampled_from(("bare", "ping", "subscribe")))
    if where == "bare":
        return Frame(nested)
    if where == "ping":
        return Frame(f'{{"type": "ping", "payload": {{"x": {nested}}}}}')
    return Frame(
        f'{{"type": "subscribe", "id": "1", "payload": {{"query": "x", "variables": {{"v": {nested}}}}}}}'
    )


def _is_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


messages_as_text = {
    "not an object": not_object,
    "wrong type": wrong_type(),
    "wrong payload": wrong_payload(),
    "wrong id": wrong_id(),
    "wrong subscribe payload": wrong_subscribe_payload(),
}
FRAMES: dict[str, st.SearchStrategy[Frame]] = {
    **{
        name: strategy.map(lambda message: Frame(orjson.dumps(message).decode()))
        for name, strategy in messages_as_text.items()
    },
    "too deep": too_deep(),
    "not JSON": st.text(st.characters(exclude_categories=["Cs"])).filter(lambda t: not _is_json(t)).map(Frame)
    | st.sampled_from(KNOWN_TYPES).map(lambda kind: Frame(f'{{"type": "{kind}"')),
    "binary": st.binary(max_size=64).map(Frame)
    | st.sampled_from(KNOWN_TYPES).map(lambda kind: Frame(orjson.dumps({"type": kind, "id": "1"}))),
}
# The issue's examples, each as it was sent.
EXAMPLES_OF_THE_ISSUE = [
    Frame('{"type": "connection_init", "payload": "x"}'),
    Frame('{"type": "connection_init", "payload": [1]}'),
    Frame("[1,2]"),
    Frame("[" * DEEPEST + "]" * DEEPEST),
    Frame('{"type": "subscribe", "id": "1", "payload": "x"}'),
]


def frames() -> list[Frame]:
    """The issue's examples, then PER_KIND frames of each kind (the same on every run)."""
    return EXAMPLES_OF_THE_ISSUE + [
        frame for strategy in FRAMES.values() for frame in drawn(strategy, PER_KIND)
    ]


# --- the server, and what a connection leaves in the log -----------------------------------------


@pytest.fixture(scope="module")
async def database(server_url: str, template_url: str) -> AsyncIterator[str]:
    async with copied_database(server_url, TEMPLATE) as url:
        yield url


@pytest.fixture(scope="module")
async def live(database: str) -> AsyncIterator[Live]:
    async with live_app(database, rate_limit_per_person=1_000_000) as live:
        yield live


@pytest.fixture
async def carrier(database: str) -> tuple[str, str]:
    """A carrier (global id) and a feature key to switch for it: an event for its subscribers."""
    conn = await asyncpg.connect(database)
    try:
        carrier_id = await factories.carrier(conn)
        feature = await conn.fetchval("select key from features where id = $1", await factories.feature(conn))
    finally:
        await conn.close()
    return to_global_id("Carrier", carrier_id), feature


def lines_of(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    """What the server logged about one connection (the access log, off in production, aside)."""
    return [
        record
        for record in caplog.records
        if record.name != "aiohttp.access"
        and (getattr(record, "request_id", None) == request_id or request_id in record.getMessage())
    ]


def summary(record: logging.LogRecord) -> bool:
    """The one line every connection leaves when it closes."""
    return record.getMessage() == "websocket closed"


async def until_logged_closed(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    """The connection's log lines, once the server has finished with it (its closing line is written)."""
    async with asyncio.timeout(WAIT):
        while not any(summary(record) for record in lines_of(caplog, request_id)):  # noqa: ASYNC110 - the log is polled
            await asyncio.sleep(0.01)
    return lines_of(caplog, request_id)


async def refused(
    live: Live, caplog: pytest.LogCaptureFixture, frame: Frame, before: Callable[[Socket], Any]
) -> None:
    """Send `frame` on a new connection (after `before`): it must close with 4400, a reason, and at
    most one log line besides the connection's closing line."""
    request_id = f"fuzz-{uuid.uuid4().hex}"
    async with socket(live, request_id=request_id) as ws:
        await before(ws)
        if isinstance(frame.data, bytes):
            await ws.ws.send_bytes(frame.data)
        else:
            await ws.ws.send_str(frame.data)
        closed = await ws.closed()
    assert closed.code == 4400, (frame, closed)
    assert closed.reason.strip(), frame
    assert len(closed.reason.encode()) <= MAX_REASON_BYTES
    assert "HTTP/1.1" not in closed.reason
    lines = await until_logged_closed(caplog, request_id)
    besides_closing = [record for record in lines if not summary(record)]
    assert len(besides_closing) <= 1, (frame, [r.getMessage() for r in besides_closing])
    for record in lines:
        assert record.levelno < logging.ERROR, (frame, record.getMessage())
        assert record.exc_info is None, (frame, record.getMessage())
        assert len(record.getMessage()) < 1000, frame


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing failed anywhere on the server: no error, no traceback."""
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info is not None]
    assert not failures, [f"{r.name}: {r.getMessage()[:200]}" for r in failures]


async def nothing(_: Socket) -> None:
    return None


async def initialized(ws: Socket) -> None:
    await ws.init(factories.staff_token())


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before", [nothing, initialized], ids=["before connection_init", "after connection_init"]
)
async def test_every_malformed_frame_closes_with_4400_and_one_log_line(
    live: Live,
    carrier: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
    before: Callable[[Socket], Any],
) -> None:
    caplog.set_level(logging.INFO)
    carrier_id, feature = carrier
    staff = factories.staff_token()
    async with socket(live) as witness:
        # given a subscription open while the fuzzing runs
        await witness.init(staff)
        watches = live.watches()
        await witness.subscribe("witness", ACTIVITY, {"c": carrier_id})
        await live.until_watched(watches, 1)

        # when every malformed frame is sent, each on a connection of its own
        failures = []
        for frame in frames():
            try:
                await refused(live, caplog, frame, before)
            except AssertionError as failure:
                failures.append(f"{frame!r}: {str(failure).splitlines()[0]}")

        # then the server still serves: the witness gets its event, valid messages work, on it and on
        # a new connection
        status, body = await live.post(SET_ENABLEMENT, staff, c=carrier_id, f=feature)
        assert status == 200, body
        event = await witness.message()
        assert (event["id"], event["type"]) == ("witness", "next"), event
        assert event["payload"] == {"data": {"activityAppended": {"action": "enablement.setForCarrier"}}}
        await witness.send({"type": "ping"})
        assert await witness.message() == {"type": "pong"}
        await witness.send({"id": "witness", "type": "complete"})
    async with socket(live) as fresh:
        await fresh.init(staff)
        watches = live.watches()
        await fresh.subscribe("fresh", ACTIVITY, {"c": carrier_id})
        await live.until_watched(watches, 1)
        await fresh.send({"type": "ping"})
        assert await fresh.message() == {"type": "pong"}
    no_errors_logged(caplog)
    assert not failures, f"{len(failures)} frames not refused as they should be:\n" + "\n".join(failures)


async def test_a_message_out_of_turn_closes_with_its_own_44xx_code(
    live: Live, carrier: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Well-formed messages in the wrong state of the protocol: subscribe before connection_init
    (4401), a second connection_init (4429), a subscribe reusing a running subscription's id (4409)."""
    caplog.set_level(logging.INFO)
    carrier_id, _ = carrier
    staff = factories.staff_token()
    for operation_id in drawn(good_ids, 10):
        subscribe = {"query": ACTIVITY, "variables": {"c": carrier_id}}
        async with socket(live) as ws:
            await ws.send({"id": operation_id, "type": "subscribe", "payload": subscribe})
            assert (await ws.closed()).code == 4401
        async with socket(live) as ws:
            await ws.init(staff)
            await ws.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {staff}"}})
            assert (await ws.closed()).code == 4429
        async with socket(live) as ws:
            await ws.init(staff)
            watches = live.watches()
            await ws.subscribe(operation_id, ACTIVITY, {"c": carrier_id})
            await live.until_watched(watches, 1)
            await ws.subscribe(operation_id, ACTIVITY, {"c": carrier_id})
            closed = await ws.closed()
            assert closed.code == 4409, closed
            assert closed.reason
    no_errors_logged(caplog)
