"""Trusted documents: the Tools page's operations by hash, in each mode of TRUSTED_DOCUMENTS_ONLY_FOR_PEOPLE.

The manifest is written by the page's build (`npm run codegen` in frontend/: GraphQL Code Generator's
persisted documents, SHA-256 of each normalized document). These tests load that generated file, so
the server is tested against the documents the page really sends; frontend/scripts/manifest.test.ts
fails when the page's operations and the committed manifest disagree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse, validate

from db.pool import Connection
from schema.build import schema
from tests import factories
from tests.conftest import ClientFactory
from tests.web.both_paths import both_paths_client, both_paths_make_client, http_path  # noqa: F401
from web.trusted_documents import TrustedDocuments, digest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND_SOURCES = ROOT / "frontend" / "src"
MANIFEST_PATH = ROOT / "frontend" / "trusted-documents.json"
MANIFEST: dict[str, str] = json.loads(MANIFEST_PATH.read_text())
AD_HOC = "{ viewer { kind } }"


def operation_names(document: str) -> set[str]:
    return {
        definition.name.value
        for definition in parse(document).definitions
        if isinstance(definition, OperationDefinitionNode) and definition.name
    }


BY_OPERATION = {name: document for document in MANIFEST.values() for name in operation_names(document)}
# The page's first request: the limits, who is signed in, and their carriers (no variables).
VIEWER = BY_OPERATION["ToolsPage"]
VIEWER_ID = f"sha256:{digest(VIEWER)}"
VIEWER_VARIABLES: dict[str, object] = {}


def test_every_manifest_entry_is_the_sha256_of_its_text() -> None:
    assert MANIFEST, "frontend/trusted-documents.json is empty: run `npm run codegen --prefix frontend`"
    for document_hash, document in MANIFEST.items():
        assert digest(document) == document_hash
    TrustedDocuments.load(MANIFEST_PATH)  # what the server does at start-up


def test_every_operation_of_the_page_is_in_the_manifest() -> None:
    in_sources = set()
    for path in FRONTEND_SOURCES.rglob("*.graphql"):
        in_sources |= set(re.findall(r"^\s*(?:query|mutation|subscription)\s+(\w+)", path.read_text(), re.M))
    assert in_sources == set(BY_OPERATION), (
        "frontend/trusted-documents.json is stale: run `npm run codegen --prefix frontend` and commit it"
    )


@pytest.mark.parametrize("name", sorted(BY_OPERATION))
def test_every_operation_of_the_page_is_valid_against_the_schema(name: str) -> None:
    # An API change that breaks the page fails here, in the API's own test run.
    assert validate(schema._schema, parse(BY_OPERATION[name])) == []


def test_a_tampered_manifest_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({digest(VIEWER): VIEWER + "\n# edited"}))
    with pytest.raises(ValueError, match="does not hash"):
        TrustedDocuments.load(manifest)


async def post(client: Any, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    response = await client.post("/graphql", json=body, headers=headers)
    return response.status, await response.json()


@pytest.mark.parametrize("only_for_people", [False, True])
async def test_a_document_id_runs_the_trusted_document(
    make_client: ClientFactory, only_for_people: bool
) -> None:
    client = await make_client(trusted_documents_only_for_people=only_for_people)
    admin = factories.bearer(factories.admin_token(carriers=["ZZZZ"]))
    for body in (
        # what the page sends: urql's persisted exchange, Apollo's convention, with codegen's hash
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(VIEWER)}}},
        {"documentId": VIEWER_ID},
        {"documentId": VIEWER_ID, "query": VIEWER},
    ):
        status, answer = await post(client, {**body, "variables": VIEWER_VARIABLES}, admin)
        assert status == 200, answer
        assert answer["data"]["viewer"]["kind"] == "ADMIN"


async def test_a_document_id_over_get(make_client: ClientFactory) -> None:
    client = await make_client(trusted_documents_only_for_people=True)
    headers = {**factories.bearer(factories.admin_token()), "X-Requested-With": "test"}
    params = {"documentId": VIEWER_ID, "variables": json.dumps(VIEWER_VARIABLES)}
    response = await client.get("/graphql", params=params, headers=headers)
    assert response.status == 200
    assert (await response.json())["data"]["viewer"]["kind"] == "ADMIN"
    # the cross-site rule covers document ids too
    bare = await client.get("/graphql", params=params)
    assert bare.status == 400


async def test_an_unknown_id_is_a_typed_error(make_client: ClientFactory) -> None:
    client = await make_client()
    status, answer = await post(
        client, {"documentId": "sha256:" + "0" * 64}, factories.bearer(factories.staff_token())
    )
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert "data" not in answer


async def test_text_that_does_not_match_its_id_is_refused(make_client: ClientFactory) -> None:
    client = await make_client()
    status, answer = await post(
        client, {"documentId": VIEWER_ID, "query": AD_HOC}, factories.bearer(factories.staff_token())
    )
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_only_trusted_documents_for_people_when_so_configured(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(trusted_documents_only_for_people=True)
    carrier_id = await factories.carrier(conn)
    _, secret = await factories.api_key(conn, carrier_id)
    # administrators (the frontend's users) and anonymous callers: trusted documents only
    for headers in (factories.bearer(factories.admin_token()), {}):
        status, answer = await post(client, {"query": AD_HOC}, headers)
        assert status == 400
        assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
    # partner tooling (API keys) and staff in GraphiQL: ad-hoc documents within the limits
    for headers in (factories.bearer(secret), factories.bearer(factories.staff_token())):
        status, answer = await post(client, {"query": AD_HOC}, headers)
        assert status == 200, answer


async def test_ad_hoc_documents_for_everyone_when_not_configured(make_client: ClientFactory) -> None:
    client = await make_client(trusted_documents_only_for_people=False)
    status, answer = await post(client, {"query": AD_HOC}, factories.bearer(factories.admin_token()))
    assert status == 200
    assert answer["data"]["viewer"]["kind"] == "ADMIN"
