"""Apollo's automatic persisted queries over HTTP: the miss Apollo recognises, the register step, who may
use it, and its bounds. Apollo Client itself runs this protocol against the server in tests/examples/.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given
from hypothesis import strategies as st

from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory
from tests.drawn import drawn, properties
from tests.web.both_paths import both_paths_client, both_paths_make_client, http_path  # noqa: F401
from web.app_keys import PERSISTED_QUERIES
from web.persisted_queries import ENTRY_OVERHEAD, PersistedQueries, Registration
from web.trusted_documents import digest

QUERY = "query Who { viewer { kind name } }"
GRAPHQL_RESPONSE = {"Accept": "application/graphql-response+json, application/json;q=0.9"}


def hashed(text: str) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(text)}}}


async def post(
    client: TestClient[Any, Any], body: dict[str, Any], headers: dict[str, str]
) -> tuple[int, Any]:
    response = await client.post("/graphql", json=body, headers={**GRAPHQL_RESPONSE, **headers})
    return response.status, await response.json()


def code_of(answer: Any) -> str | None:
    errors = answer.get("errors") or [{}]
    code: str | None = (errors[0].get("extensions") or {}).get("code")
    return code


async def callers(conn: Connection) -> dict[str, dict[str, str]]:
    carrier_id = await factories.carrier(conn)
    _, secret = await factories.api_key(conn, carrier_id)
    _, other_secret = await factories.api_key(conn, carrier_id)
    return {
        "staff": factories.bearer(factories.staff_token()),
        "key": factories.bearer(secret),
        "other key": factories.bearer(other_secret),
        "admin": factories.bearer(factories.admin_token()),
    }


@pytest.mark.parametrize("only_for_people", [False, True])
@pytest.mark.parametrize("who", ["staff", "key"])
async def test_a_miss_asks_for_the_text_then_the_hash_alone_runs_it(
    make_client: ClientFactory, conn: Connection, only_for_people: bool, who: str
) -> None:
    client = await make_client(trusted_documents_only_for_people=only_for_people)
    headers = (await callers(conn))[who]

    # the hash alone: the answer Apollo Client recognises (message and code), nothing run
    status, answer = await post(client, hashed(QUERY), headers)
    assert status == 400
    assert answer["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code_of(answer) == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in answer

    # the text with its hash: run, and registered
    status, answer = await post(client, {"query": QUERY, **hashed(QUERY)}, headers)
    assert status == 200, answer
    assert answer["data"]["viewer"]["kind"] in {"STAFF", "API_KEY"}

    # the hash alone again: found
    status, answer = await post(client, hashed(QUERY), headers)
    assert status == 200, answer
    assert answer["data"]["viewer"]["kind"] in {"STAFF", "API_KEY"}


async def test_a_caller_finds_only_its_own_registrations(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client()
    who = await callers(conn)
    status, _ = await post(client, {"query": QUERY, **hashed(QUERY)}, who["key"])
    assert status == 200
    # another caller's hash is not found: it reveals nothing of what others sent
    status, answer = await post(client, hashed(QUERY), who["other key"])
    assert code_of(answer) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize("who", ["admin", "anonymous"])
async def test_people_in_production_settings_cannot_register_and_an_unknown_hash_is_refused(
    make_client: ClientFactory, conn: Connection, who: str
) -> None:
    client = await make_client(trusted_documents_only_for_people=True)
    headers = (await callers(conn)).get(who, {})
    status, answer = await post(client, hashed(QUERY), headers)
    assert status == 400
    assert code_of(answer) == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert "only the admin frontend's trusted documents" in answer["errors"][0]["message"]
    status, answer = await post(client, {"query": QUERY, **hashed(QUERY)}, headers)
    assert status == 400
    assert code_of(answer) == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert len(client.app[PERSISTED_QUERIES]) == 0


async def test_a_text_whose_hash_is_not_the_one_sent_is_refused_and_not_registered(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client()
    staff = (await callers(conn))["staff"]
    status, answer = await post(client, {"query": QUERY, **hashed("{ viewer { id } }")}, staff)
    assert status == 400
    assert code_of(answer) == "BAD_REQUEST"
    assert len(client.app[PERSISTED_QUERIES]) == 0


async def test_the_graphql_over_http_document_id_does_not_register(
    make_client: ClientFactory, conn: Connection
) -> None:
    # Persisted documents (documentId) name known documents only: no register-on-miss there.
    client = await make_client()
    staff = (await callers(conn))["staff"]
    status, answer = await post(client, {"documentId": f"sha256:{digest(QUERY)}"}, staff)
    assert status == 400
    assert code_of(answer) == "PERSISTED_DOCUMENT_NOT_FOUND"


# Documents every admission check refuses, each in its own way; none of them may be registered.
REFUSED = {
    "syntax": "query { viewer { kind }",
    "unknown field": "{ viewer { shoeSize } }",
    "too deep": "{ viewer { carriers { nodes { organization { carriers { nodes { organization { carriers "
    "{ nodes { organization { carriers { nodes { organization { id } } } } } } } } } } } } } }",
    "too many aliases": "{ " + " ".join(f"a{n}: viewer {{ kind }}" for n in range(40)) + " }",
    "too costly": "query ($n: Int!) { carriers(first: $n) { nodes { apiKeys(first: $n) { nodes { hint } } } "
    "} }",
    "page size out of range": "query ($n: Int!) { carriers(first: $n) { totalCount } }",
    "variables of the wrong type": "query ($n: Int!) { carriers(first: $n) { totalCount } }",
}
VARIABLES = {
    "too costly": {"n": 100},
    "page size out of range": {"n": 100000},
    "variables of the wrong type": {"n": "many"},
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
async def test_a_refused_document_is_never_registered(
    make_client: ClientFactory, conn: Connection, kind: str
) -> None:
    client = await make_client(max_query_cost=1000)
    staff = (await callers(conn))["staff"]
    text = REFUSED[kind]
    body = {"query": text, "variables": VARIABLES.get(kind, {}), **hashed(text)}
    status, answer = await post(client, body, staff)
    assert status == 400, answer
    assert "data" not in answer
    assert len(client.app[PERSISTED_QUERIES]) == 0
    _, answer = await post(client, hashed(text), staff)
    assert code_of(answer) == "PERSISTED_QUERY_NOT_FOUND"


async def test_generated_texts_are_registered_only_when_admitted(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client()
    staff = (await callers(conn))["staff"]
    fields = st.sampled_from(["kind", "name", "id", "shoeSize", "carriers { totalCount }", "{", ")", "$x"])
    texts = drawn(
        st.lists(fields, min_size=1, max_size=6).map(lambda f: "{ viewer { " + " ".join(f) + " } }"), 40
    )
    outcomes = set()
    for text in texts:
        status, answer = await post(client, {"query": text, **hashed(text)}, staff)
        registered = client.app[PERSISTED_QUERIES].find("staff:staff-1", digest(text)) is not None
        assert registered == (status == 200 and "data" in answer), (text, answer)
        outcomes.add(registered)
    assert outcomes == {True, False}  # the drawn texts were of both kinds


async def test_a_registered_document_is_priced_again_on_every_use(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(max_query_cost=1000)
    staff = (await callers(conn))["staff"]
    text = "query ($n: Int!) { carriers(first: $n) { nodes { apiKeys(first: $n) { nodes { hint } } } } }"
    status, answer = await post(client, {"query": text, "variables": {"n": 2}, **hashed(text)}, staff)
    assert status == 200, answer
    status, answer = await post(client, {"variables": {"n": 100}, **hashed(text)}, staff)
    assert status == 400
    assert code_of(answer) == "QUERY_TOO_COMPLEX"


async def test_registrations_are_bounded_per_caller_and_in_all(make_client: ClientFactory) -> None:
    client = await make_client(apq_max_documents=3, apq_max_documents_per_caller=2)
    staff = factories.bearer(factories.staff_token())
    texts = [f"query Q{n} {{ viewer {{ kind }} }}" for n in range(4)]
    for text in texts:
        status, _ = await post(client, {"query": text, **hashed(text)}, staff)
        assert status == 200
    registry = client.app[PERSISTED_QUERIES]
    assert len(registry) == 2
    # the least recently used went first
    assert [registry.find("staff:staff-1", digest(t)) is not None for t in texts] == [
        False,
        False,
        True,
        True,
    ]


def test_the_bounds_hold_whatever_is_registered() -> None:
    callers_ = st.sampled_from(["a", "b", "c", "d"])
    texts = st.text(max_size=300)

    @properties(200)
    @given(st.lists(st.tuples(callers_, texts), max_size=60), st.integers(1, 8), st.integers(1, 4))
    def holds(registrations: list[tuple[str, str]], most: int, per_caller: int) -> None:
        registry = PersistedQueries(most, per_caller, max_bytes=1500)
        for caller, text in registrations:
            registry.register(Registration(caller, digest(text), text))
            sizes = [len(t.encode()) + ENTRY_OVERHEAD for t in registry.entries.values()]
            assert len(registry) <= most
            assert registry.bytes == sum(sizes) <= 1500
            assert all(len(mine) <= per_caller for mine in registry.per_caller.values())
            assert sum(len(mine) for mine in registry.per_caller.values()) == len(registry)
            # the newest registration is kept unless it alone is over the bytes
            fits = len(text.encode()) + ENTRY_OVERHEAD <= 1500
            assert (registry.find(caller, digest(text)) == text) == fits

    holds()


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GRAPHQL_RESPONSE["Accept"], "application/graphql-response+json"),
        ("application/json", "application/json"),
    ],
)
async def test_a_refused_document_answers_in_the_media_type_asked_for(
    client: TestClient[Any, Any], accept: str, media_type: str
) -> None:
    # Apollo Client 4 reads the errors of a 400 only from application/graphql-response+json.
    response = await client.post(
        "/graphql",
        json=hashed(QUERY),
        headers={**factories.bearer(factories.staff_token()), "Accept": accept},
    )
    assert response.status == 400
    assert response.content_type == media_type
    assert code_of(await response.json(content_type=None)) == "PERSISTED_QUERY_NOT_FOUND"
