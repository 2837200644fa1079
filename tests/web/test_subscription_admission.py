"""One admission for every document, whatever the transport (issue 21 §5), and credentials in a WebSocket
URL refused before the upgrade (§7).

A document is sent as a subscribe message and, byte for byte the same request body, over HTTP: a refusal
over HTTP (no `data`) must be the same refusal over WebSocket, as the subscribe's `error` message (same
messages, same codes and limits), with no subscription started; a document HTTP admits must not be
refused over WebSocket either. The documents: every worst case of bench/hostile_documents.py with its
root rewritten as a subscription field, subscriptions selecting nested connections priced over
MAX_QUERY_COST, and generated documents around the depth, aliases, directives and tokens limits of a
server with small limits.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
import orjson
import pytest
from graphql import GraphQLError
from graphql.language import Lexer, Source, TokenKind
from hypothesis import strategies as st

from access import keyformat
from bench import hostile_documents
from bench.hostile_documents import Body, Budget, Hostile
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import TEMPLATE, copied_database, make_settings
from tests.drawn import drawn
from tests.web.live_socket import WAIT, Closed, Live, live_app, socket
from web.authentication import URL_CREDENTIAL_PARAMETERS

DEFAULTS = make_settings()
# Room for the subscribe message around a request body: a frame may be no larger than a body.
ENVELOPE = 64
# Codes of a document refused before it runs.
ADMISSION_CODES = frozenset(
    {"QUERY_TOO_COMPLEX", "QUERY_TOO_LARGE", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}
)
# Any carrier's id: a hostile document is refused (or fails to find it) before it would matter.
SOME_CARRIER = to_global_id("Carrier", uuid.UUID(int=1))
# Many documents from one caller, each on a connection of its own: the caller's limits are not tested here.
GENEROUS = {
    "rate_limit_per_person": 1_000_000,
    "rate_limit_failed_auth_per_address": 1_000_000,
    "ws_max_connections_per_caller": 1_000,
}


@pytest.fixture(scope="module")
async def database(server_url: str, template_url: str) -> AsyncIterator[str]:
    async with copied_database(server_url, TEMPLATE) as url:
        yield url


@pytest.fixture(scope="module")
async def live(database: str) -> AsyncIterator[Live]:
    async with live_app(database, **GENEROUS) as live:
        yield live


@pytest.fixture(scope="module")
async def carrier(database: str) -> str:
    """A carrier that exists (global id): a subscription to it that is admitted starts."""
    conn = await asyncpg.connect(database)
    try:
        return to_global_id("Carrier", await factories.carrier(conn))
    finally:
        await conn.close()


# --- one document over both transports -----------------------------------------------------------


def public(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The errors as a client compares them: message and extensions (the request id aside)."""
    return [
        {
            "message": error["message"],
            "extensions": {k: v for k, v in error.get("extensions", {}).items() if k != "requestId"},
        }
        for error in errors
    ]


@dataclass(frozen=True, slots=True)
class OverWebSocket:
    """What became of a subscribe message: refused (`error`), closed, started (its watch registered),
    or answered with a `next` (an error of the field itself, such as NOT_FOUND)."""

    refused: list[dict[str, Any]] | None = None
    closed: Closed | None = None
    started: bool = False
    answered: dict[str, Any] | None = None


async def over_http(live: Live, body: bytes) -> tuple[int, dict[str, Any]]:
    headers = {**factories.bearer(factories.staff_token()), "Content-Type": "application/json"}
    response = await live.client.post("/graphql", data=body, headers=headers)
    answer: dict[str, Any] = await response.json()
    return response.status, answer


async def over_websocket(live: Live, body: bytes) -> OverWebSocket:
    """Send `body` as a subscribe message's payload on a connection of its own."""
    async with socket(live) as ws:
        await ws.init(factories.staff_token())
        before = live.watches()
        await ws.ws.send_str('{"id": "doc", "type": "subscribe", "payload": ' + body.decode() + "}")
        receiving = asyncio.ensure_future(ws.receive())
        watching = asyncio.ensure_future(live.until_watched(before, 1))
        done, pending = await asyncio.wait(
            {receiving, watching}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        assert done, "the subscribe message was neither answered nor started"
        if receiving not in done:
            await ws.send({"id": "doc", "type": "complete"})
            return OverWebSocket(started=True)
        received = receiving.result()
        if isinstance(received, Closed):
            return OverWebSocket(closed=received)
        assert received["id"] == "doc", received
        if received["type"] != "error":
            return OverWebSocket(answered=received)
        # Nothing was started: nothing watches for it, and the connection goes on.
        await ws.send({"type": "ping"})
        assert await ws.message() == {"type": "pong"}
        assert not live.watches() - before
        return OverWebSocket(refused=public(received["payload"]))


OVER_WEBSOCKET = "Subscriptions are served over WebSocket (graphql-transport-ws) at this same /graphql."


async def same_admission(live: Live, body: bytes) -> list[dict[str, Any]] | None:
    """Send the document over both transports and require the same admission; HTTP's refusal (its
    public errors), or None when HTTP admitted it."""
    status, answer = await over_http(live, body)
    assert status < 500, answer
    websocket = await over_websocket(live, body)
    if [e["message"] for e in answer.get("errors", [])] == [OVER_WEBSOCKET]:
        # Admitted, then refused only for its transport: a subscription is served over WebSocket.
        assert websocket.closed is None, websocket
        assert not {e["extensions"]["code"] for e in (websocket.refused or [])} & ADMISSION_CODES, websocket
        return None
    if status == 400 and [e["extensions"]["code"] for e in answer["errors"]] == ["BAD_REQUEST"]:
        # The request itself could not be read (HTTP's 400): over WebSocket, a malformed message.
        assert websocket.closed is not None, (answer, websocket)
        assert websocket.closed.code == 4400, websocket
        return public(answer["errors"])
    if "data" not in answer:
        assert websocket.refused == public(answer["errors"]), websocket
        return websocket.refused
    assert websocket.closed is None, websocket
    codes = {e["extensions"]["code"] for e in (websocket.refused or [])}
    assert not codes & ADMISSION_CODES, websocket
    return None


def limits_of(errors: list[dict[str, Any]] | None) -> set[tuple[str, str | None]]:
    return {(e["extensions"]["code"], e["extensions"].get("limit")) for e in errors or []}


# --- the hostile documents, as subscriptions ------------------------------------------------------

ROOT = f'activityAppended(carrierId: "{SOME_CARRIER}")'


def as_subscription(query: str) -> str:
    """The hostile document with the subscription root where it has the query root: its operations
    are subscriptions, its fragments on Query are on Subscription, and the query root's fields are
    subscription fields (viewer → activityAppended, its kind → action; carriers' nodes → a change's
    carrier; nodes(ids:) and carriers(search:) → activityAppended(carrierId:))."""
    query = re.sub(r"\bquery\b", "subscription", query)
    if query.startswith("{"):
        query = f"subscription {query}"
    query = re.sub(
        r"^subscription \{ carriers \{ nodes \{",
        f'subscription {{ enablementsChanged(carrierId: "{SOME_CARRIER}") {{ carrier {{',
        query,
    )
    query = re.sub(
        r'^subscription \{ carriers\(search: ("x*")\) \{ totalCount \}',
        r"subscription { activityAppended(carrierId: \1) { action }",
        query,
    )
    query = re.sub(r"\bnodes\(ids:", "activityAppended(carrierId:", query)
    query = query.replace("on Query", "on Subscription")
    query = query.replace("viewer { kind name }", f"{ROOT} {{ action reason }}")
    query = re.sub(r"\bviewer\b", ROOT, query)
    return re.sub(r"\bkind\b", "action", query)


def hostile(budget: Budget) -> list[tuple[Hostile, Hostile]]:
    """Each worst case as a query, and as a subscription as large as the same budget admits (the
    benchmark's generators, each fitted again with its root rewritten)."""
    queries = hostile_documents.documents(budget)
    to_body = hostile_documents.body

    def subscription_body(query: str, **arguments: Any) -> Body:
        return to_body(as_subscription(query), **arguments)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hostile_documents, "body", subscription_body)
        subscriptions = hostile_documents.documents(budget)
    return list(zip(queries, subscriptions, strict=True))


HOSTILE = hostile(Budget(bytes=DEFAULTS.max_body_bytes - ENVELOPE, tokens=DEFAULTS.max_tokens))


@pytest.mark.parametrize(
    ("query", "subscription"), [pytest.param(*pair, id=pair[0].name) for pair in HOSTILE]
)
async def test_every_hostile_document_is_refused_alike_over_both_transports(
    live: Live, query: Hostile, subscription: Hostile
) -> None:
    refused = await same_admission(live, subscription.body.json)

    # The rewritten document is as hostile as the query was: the same limit refuses both.
    status, answer = await over_http(live, query.body.json)
    assert status < 500
    if "data" not in answer:
        assert limits_of(refused) == limits_of(public(answer["errors"])), (refused, answer)


# --- cost --------------------------------------------------------------------------------------

# From a carrier, through a connection of `first` rows, to carriers again.
HOPS = {
    "apiKeys": ("apiKeys(first: {first}) {{ nodes {{ carrier {{ ", " } } }"),
    "activity": ("activity(first: {first}) {{ nodes {{ carrier {{ ", " } } }"),
}


@st.composite
def nested_connections(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A subscription selecting connections in connections, each page size a literal or a variable."""
    hops = draw(st.lists(st.sampled_from(sorted(HOPS)), min_size=1, max_size=3))
    sizes = [draw(st.integers(min_value=1, max_value=DEFAULTS.max_page_size)) for _ in hops]
    as_variable = [draw(st.booleans()) for _ in hops]
    opening, closing, variables = "", "", {}
    for index, (hop, size, variable) in enumerate(zip(hops, sizes, as_variable, strict=True)):
        first = f"$n{index}" if variable else str(size)
        if variable:
            variables[f"n{index}"] = size
        before, after = HOPS[hop]
        opening += before.format(first=first)
        closing = after + closing
    definitions = "".join(f", $n{index}: Int" for index, variable in enumerate(as_variable) if variable)
    query = (
        f"subscription Nested($c: ID!{definitions}) {{ enablementsChanged(carrierId: $c) {{ carrier {{ "
        f"{opening}code{closing} }} }} }}"
    )
    return query, variables


async def test_a_subscription_over_max_query_cost_is_refused_as_over_http(live: Live, carrier: str) -> None:
    widest = "apiKeys(first: 100) { nodes { carrier { " * 3 + "code" + " } } }" * 3
    documents = [
        (f"subscription ($c: ID!) {{ enablementsChanged(carrierId: $c) {{ carrier {{ {widest} }} }} }}", {}),
        *drawn(nested_connections(), 30),
    ]
    outcomes = []
    for query, variables in documents:
        body = orjson.dumps({"query": query, "variables": {"c": carrier, **variables}})
        outcomes.append(limits_of(await same_admission(live, body)))
    # Both sides of the limit were tried.
    assert {("QUERY_TOO_COMPLEX", "MAX_QUERY_COST")} in outcomes
    assert set() in outcomes


# --- each limit at its boundary ------------------------------------------------------------------

TIGHT = {
    "max_query_depth": 4,
    "max_aliases": 2,
    "max_directives_per_field": 1,
    "max_tokens": 50,
}
ACTIVITY_LEAVES = (
    *("id", "occurredAt", "actorIsStaff", "action", "outcome"),
    *("targetType", "targetId", "reason", "requestId", "clientAddress"),
)
# Fields nested one in another from an activity event, each one level deeper, and a leaf for each.
CHAIN = ("carrier", "organization", "carriers(first: 1)", "nodes", "organization", "carriers(first: 1)")
LEAF_AFTER = {
    "carrier": "code",
    "organization": "name",
    "carriers(first: 1)": "totalCount",
    "nodes": "code",
}


@pytest.fixture(scope="module")
async def tight(database: str) -> AsyncIterator[Live]:
    async with live_app(database, **GENEROUS, **TIGHT) as live:
        yield live


def subscription_of(selection: str) -> str:
    return f"subscription ($c: ID!) {{ activityAppended(carrierId: $c) {{ {selection} }} }}"


def tokens(query: str) -> int:
    """The document's lexical tokens, as MAX_TOKENS counts them."""
    lexer, count = Lexer(Source(query)), 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
    except GraphQLError:
        pass
    return count


@dataclass(frozen=True, slots=True)
class Bounded:
    """A document, and the one limit it may pass (its measure, which decides)."""

    query: str
    limit: str
    actual: int


@st.composite
def deep(draw: st.DrawFn) -> Bounded:
    levels = draw(st.integers(min_value=0, max_value=len(CHAIN)))
    chain = CHAIN[:levels]
    selection = LEAF_AFTER[chain[-1]] if chain else "action"
    for field in reversed(chain):
        selection = f"{field} {{ {selection} }}"
    return Bounded(subscription_of(selection), "MAX_QUERY_DEPTH", levels + 2)


@st.composite
def aliased(draw: st.DrawFn) -> Bounded:
    count = draw(st.integers(min_value=0, max_value=5))
    selection = " ".join(f"a{index}: action" for index in range(count)) or "action"
    return Bounded(subscription_of(selection), "MAX_ALIASES", count)


@st.composite
def directed(draw: st.DrawFn) -> Bounded:
    count = draw(st.integers(min_value=0, max_value=3))
    return Bounded(
        subscription_of("action" + " @include(if: true)" * count), "MAX_DIRECTIVES_PER_FIELD", count
    )


@st.composite
def long(draw: st.DrawFn) -> Bounded:
    """Distinct fields, one directive each (within the other limits): tokens on either side of MAX_TOKENS."""
    fields = draw(st.lists(st.sampled_from(ACTIVITY_LEAVES), min_size=1, unique=True))
    query = subscription_of(" ".join(f"{field} @include(if: true)" for field in fields))
    return Bounded(query, "MAX_TOKENS", tokens(query))


@pytest.mark.parametrize(
    "documents", [deep(), aliased(), directed(), long()], ids=["depth", "aliases", "directives", "tokens"]
)
async def test_each_limit_holds_at_its_boundary_over_both_transports(
    tight: Live, carrier: str, documents: st.SearchStrategy[Bounded]
) -> None:
    settings = make_settings(**TIGHT)
    outcomes = set()
    for document in drawn(documents, 12):
        maximum = getattr(settings, document.limit.lower())
        body = orjson.dumps({"query": document.query, "variables": {"c": carrier}})
        refused = await same_admission(tight, body)
        if document.actual <= maximum:
            assert refused is None, (document, refused)
        else:
            assert refused is not None, document
            (error,) = refused
            code = "QUERY_TOO_LARGE" if document.limit == "MAX_TOKENS" else "QUERY_TOO_COMPLEX"
            assert error["extensions"]["code"] == code, (document, error)
            assert error["extensions"]["limit"] == document.limit, (document, error)
        outcomes.add(document.actual <= maximum)
    assert outcomes == {True, False}, "the documents drawn fell on one side of the limit only"


# --- a document over the other transport ---------------------------------------------------------


async def test_a_subscription_over_http_gets_a_typed_refusal(live: Live, carrier: str) -> None:
    """As a query over WebSocket is refused (BAD_REQUEST), a subscription over HTTP is refused with a
    code of its own, not answered as an internal error."""
    query = "subscription ($c: ID!) { activityAppended(carrierId: $c) { action } }"
    status, answer = await over_http(live, orjson.dumps({"query": query, "variables": {"c": carrier}}))
    assert status < 500
    codes = {error["extensions"]["code"] for error in answer["errors"]}
    assert "INTERNAL_SERVER_ERROR" not in codes, answer
    assert not answer.get("data"), answer


# --- credentials in the URL ----------------------------------------------------------------------

HANDSHAKE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Protocol": "graphql-transport-ws",
}


def any_case(name: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda upper: "".join(c.upper() if u else c for c, u in zip(name, upper, strict=True))
    )


harmless_names = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=10).filter(
    lambda name: name.lower() not in URL_CREDENTIAL_PARAMETERS and not keyformat.PATTERN.search(name)
)
harmless_values = st.text(st.characters(exclude_categories=["Cs"]), max_size=20).filter(
    lambda value: not keyformat.PATTERN.search(value)
)
harmless = st.lists(st.tuples(harmless_names, harmless_values), max_size=2)
key_shaped = st.from_regex(keyformat.FULL_MATCH).map(lambda key: key.strip())
named_as_credential = st.tuples(
    st.sampled_from(sorted(URL_CREDENTIAL_PARAMETERS)).flatmap(any_case),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
)
key_under_any_name = st.tuples(
    harmless_names,
    st.tuples(st.sampled_from(["", " ", "Bearer ", "x,"]), key_shaped, st.sampled_from(["", " ", ",y"])).map(
        "".join
    ),
)
key_as_a_name = st.tuples(key_shaped, harmless_values)


@st.composite
def credential_urls(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A URL query carrying something that is, or is named like, a credential, among harmless ones."""
    credential = draw(named_as_credential | key_under_any_name | key_as_a_name)
    others = draw(harmless)
    at = draw(st.integers(min_value=0, max_value=len(others)))
    return [*others[:at], credential, *others[at:]]


async def handshake(live: Live, query: list[tuple[str, str]]) -> aiohttp.ClientResponse:
    key = base64.b64encode(os.urandom(16)).decode()
    return await live.client.get("/graphql", params=query, headers={**HANDSHAKE, "Sec-WebSocket-Key": key})


async def test_credentials_in_a_websocket_url_are_refused_before_the_upgrade(
    live: Live, database: str
) -> None:
    conn = await asyncpg.connect(database)
    try:
        _, secret = await factories.api_key(conn, await factories.carrier(conn), scopes=["keys:read"])
    finally:
        await conn.close()
    # The issue's example, with a client that would go on to connection_init.
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        async with aiohttp.ClientSession() as http:
            await http.ws_connect(f"{live.ws_url}?api_key={secret}", protocols=["graphql-transport-ws"])
    assert refused.value.status == 401

    for query in [[("api_key", secret)], *drawn(credential_urls(), 60)]:
        upgrade = await handshake(live, query)
        assert upgrade.status == 401, query
        refusal = await upgrade.json()
        # as over HTTP
        request = await live.client.post("/graphql", params=query, json={"query": "{ viewer { kind } }"})
        assert request.status == 401, query
        assert public(refusal["errors"]) == public((await request.json())["errors"]), query
        assert refusal["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_websocket_url_without_credentials_is_upgraded(live: Live) -> None:
    for query in drawn(harmless, 20):
        async with aiohttp.ClientSession() as http:
            url = live.client.make_url("/graphql").with_query(query)
            ws = await http.ws_connect(str(url).replace("http", "ws", 1), protocols=["graphql-transport-ws"])
            await ws.send_json(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {factories.staff_token()}"}}
            )
            assert await ws.receive_json(timeout=WAIT) == {"type": "connection_ack"}, query
            await ws.close()
