"""Trusted documents: the frontend's operations by hash, in each mode of TRUSTED_DOCUMENTS_ONLY_FOR_PEOPLE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate

from db.pool import Connection
from schema.build import schema
from tests import factories
from tests.conftest import ClientFactory
from web.trusted_documents import TrustedDocuments, build, digest

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "frontend" / "operations"
MANIFEST = ROOT / "frontend" / "trusted-documents.json"
VIEWER = (OPERATIONS / "Viewer.graphql").read_text()
VIEWER_ID = f"sha256:{digest(VIEWER)}"
AD_HOC = "{ viewer { kind } }"


def test_the_committed_manifest_is_built_from_the_frontend_operations() -> None:
    assert json.loads(MANIFEST.read_text()) == build(OPERATIONS), (
        "frontend/trusted-documents.json is stale: run "
        "`python -m web.trusted_documents frontend/operations > frontend/trusted-documents.json`"
    )


@pytest.mark.parametrize("path", sorted(OPERATIONS.glob("*.graphql")), ids=lambda p: p.stem)
def test_every_frontend_operation_is_valid_against_the_schema(path: Path) -> None:
    assert validate(schema._schema, parse(path.read_text())) == []


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
        {"documentId": VIEWER_ID},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(VIEWER)}}},
        {"documentId": VIEWER_ID, "query": VIEWER},
    ):
        status, answer = await post(client, body, admin)
        assert status == 200, answer
        assert answer["data"]["viewer"]["kind"] == "ADMIN"


async def test_a_document_id_over_get(make_client: ClientFactory) -> None:
    client = await make_client(trusted_documents_only_for_people=True)
    headers = {**factories.bearer(factories.admin_token()), "X-Requested-With": "test"}
    response = await client.get("/graphql", params={"documentId": VIEWER_ID}, headers=headers)
    assert response.status == 200
    assert (await response.json())["data"]["viewer"]["kind"] == "ADMIN"
    # the cross-site rule covers document ids too
    bare = await client.get("/graphql", params={"documentId": VIEWER_ID})
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
