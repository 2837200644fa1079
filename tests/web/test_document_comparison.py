"""A trusted document is found by Apollo Client's hash of it too, and text sent beside its id is compared
as a document: written differently it is the same document, asking something else it is refused, over
HTTP and over WebSocket alike (one function decides, web/documents.py).

The documents are the page's own (frontend/trusted-documents.json) and a few with strings and values;
the variations are generated (tests/web/document_variants.py). That Apollo Client really sends these
hashes is checked with Apollo Client itself in tests/examples/.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from graphql import parse, print_ast
from hypothesis import given
from hypothesis import strategies as st

from tests import factories
from tests.conftest import ClientFactory
from tests.drawn import drawn, properties
from tests.web.document_variants import asking_something_else, written_differently
from tests.web.test_subscriptions import WAIT
from web.client_printing import apollo_printings, graphql_js_16
from web.trusted_documents import TrustedDocuments, digest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST: dict[str, str] = json.loads((ROOT / "frontend" / "trusted-documents.json").read_text())
# Beside the page's documents: strings (quoted and block), object and list values, directives.
WRITTEN = [
    'query Find($q: String = "a \\"quoted\\" value") { apiKeys(filter: { search: $q, kind: SERVICE }, '
    "first: 5) { nodes { hint description @include(if: true) } } }",
    'mutation { updateApiKey(input: { id: "QXBpS2V5OjE=", description: """Block "string" here""" }) '
    "{ __typename } }",
]
TEXTS = [*MANIFEST.values(), *WRITTEN]
TRUSTED = TrustedDocuments({digest(text): text for text in TEXTS})
# The page's subscriptions of a carrier (changeRequestsChanged watches no carrier: it has no argument to
# make it answer NOT_FOUND at once).
SUBSCRIPTIONS = [
    text for text in MANIFEST.values() if text.lstrip().startswith("subscription") and "$carrierId" in text
]
QUERIES = [text for text in MANIFEST.values() if " query " in f" {text}" and "mutation" not in text]


def test_every_page_document_is_found_by_apollo_clients_hashes() -> None:
    documents = TrustedDocuments(MANIFEST)
    for text in MANIFEST.values():
        for printed in apollo_printings(parse(text)):
            assert documents.find(digest(printed)) is not None
            assert documents.same(documents.find(digest(printed)) or "", text, 2000)


def test_graphql_js_16_prints_values_on_one_line_without_spaces_inside_braces() -> None:
    long_list = ", ".join(f'"item {n}"' for n in range(12))
    document = parse(f'{{ a(x: {{ b: [{{ c: 1 }}], d: {{}} }}, s: "{{ x }}") {{ e }} f(l: [{long_list}]) }}')
    assert graphql_js_16(document).splitlines() == [
        "{",
        '  a(x: {b: [{c: 1}], d: {}}, s: "{ x }") {',
        "    e",
        "  }",
        "  f(",
        f"    l: [{long_list}]",
        "  )",
        "}",
    ]
    assert "[\n" in print_ast(document)  # where graphql-js 17 breaks the list over lines


def test_the_same_document_written_differently_is_the_same() -> None:
    @properties(300)
    @given(st.data())
    def same(data: st.DataObject) -> None:
        text = data.draw(st.sampled_from(TEXTS))
        variant = data.draw(written_differently(text))
        assert TRUSTED.same(text, variant, 5000), variant

    same()


def test_a_document_asking_something_else_is_not_the_same() -> None:
    @properties(300)
    @given(st.data())
    def different(data: st.DataObject) -> None:
        text = data.draw(st.sampled_from(TEXTS))
        variant = data.draw(asking_something_else(text))
        assert not TRUSTED.same(text, variant, 5000), variant

    different()


def test_gql_printing_and_apollo_printing_are_the_same_document() -> None:
    for text in TEXTS:
        for printed in {print_ast(parse(text)), *apollo_printings(parse(text))}:
            # Apollo's printing adds __typename where the page's documents already have it
            if text in MANIFEST.values():
                assert TRUSTED.same(text, printed, 5000)


def test_a_text_beyond_the_token_limit_is_not_compared() -> None:
    text = next(iter(MANIFEST.values()))
    assert not TRUSTED.same(text, print_ast(parse(text)), max_tokens=10)


# --- over HTTP and WebSocket, as a person where only trusted documents are accepted -----------------


def variations(texts: list[str], count: int) -> list[tuple[str, str, bool]]:
    """(trusted text, variant, whether it is the same document), drawn the same on every run."""
    same = st.sampled_from(texts).flatmap(lambda t: written_differently(t).map(lambda v: (t, v, True)))
    other = st.sampled_from(texts).flatmap(lambda t: asking_something_else(t).map(lambda v: (t, v, False)))
    return drawn(st.one_of(same, other), count)


def code_of(errors: Any) -> str | None:
    first = (errors or [{}])[0]
    code: str | None = (first.get("extensions") or {}).get("code")
    return code


async def test_over_http_the_same_document_runs_and_another_is_refused(make_client: ClientFactory) -> None:
    client = await make_client(trusted_documents_only_for_people=True)
    admin = factories.bearer(factories.admin_token(carriers=["NOPE"]))
    drawn_variations = variations(QUERIES, 40)
    assert {same for _, _, same in drawn_variations} == {True, False}
    for text, variant, same in drawn_variations:
        body = {"query": variant, "documentId": f"sha256:{digest(text)}", "variables": {"carrierCount": 1}}
        response = await client.post("/graphql", json=body, headers=admin)
        answer = await response.json()
        if same:
            # run: an answer, or the variables' own refusal (some documents need others)
            assert code_of(answer.get("errors")) in {None, "BAD_USER_INPUT"}, (variant, answer)
        else:
            assert response.status == 400, variant
            assert code_of(answer["errors"]) == "BAD_REQUEST", (variant, answer)


@pytest.fixture
async def socket(make_client: ClientFactory) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    client: TestClient[Any, Any] = await make_client(trusted_documents_only_for_people=True)
    token = factories.admin_token(carriers=["NOPE"])
    async with aiohttp.ClientSession() as http:
        url = str(client.make_url("/graphql")).replace("http", "ws", 1)
        async with http.ws_connect(url, protocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            assert (await ws.receive_json(timeout=WAIT))["type"] == "connection_ack"
            yield ws


async def test_over_websocket_the_same_document_runs_and_another_is_refused(
    socket: aiohttp.ClientWebSocketResponse,
) -> None:
    # A carrier the person cannot see: a subscription that runs says NOT_FOUND; one refused before it
    # runs says BAD_REQUEST. No waiting for time: each answer is the subscription's first message.
    unknown = "Q2FycmllcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA="
    drawn_variations = variations(SUBSCRIPTIONS, 30)
    assert {same for _, _, same in drawn_variations} == {True, False}
    for number, (text, variant, same) in enumerate(drawn_variations):
        payload = {
            "query": variant,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(text)}},
            "variables": {"carrierId": unknown},
        }
        await socket.send_json({"id": str(number), "type": "subscribe", "payload": payload})
        answer = await socket.receive_json(timeout=WAIT)
        assert answer["id"] == str(number)
        errors = answer["payload"] if answer["type"] == "error" else answer["payload"].get("errors")
        if same:
            assert code_of(errors) == "NOT_FOUND", (variant, answer)
        else:
            assert code_of(errors) == "BAD_REQUEST", (variant, answer)
        if answer["type"] == "next":
            await socket.receive_json(timeout=WAIT)  # its "complete"
