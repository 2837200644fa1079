"""The committed schema.graphql is the schema: any API change shows up in review. So is
possible-types.json, the abstract types' members Apollo Client's cache needs."""

from __future__ import annotations

from pathlib import Path

from schema import possible_types
from schema.build import schema

SDL_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
POSSIBLE_TYPES_FILE = Path(__file__).resolve().parent.parent / "possible-types.json"


def test_committed_sdl_matches_the_schema() -> None:
    printed = schema.as_str() + "\n"
    assert SDL_FILE.read_text() == printed, (
        "schema.graphql is out of date: run `make schema` and commit the result"
    )


def test_committed_possible_types_match_the_schema() -> None:
    assert POSSIBLE_TYPES_FILE.read_text() == possible_types.printed(), (
        "possible-types.json is out of date: run `make schema` and commit the result"
    )
    # every union and interface is there, with the members a fragment on it may meet
    members = possible_types.possible_types(schema._schema)
    assert "NotFoundError" in members["UserError"]
    assert "CreateApiKeyPayload" in members["CreateApiKeyResult"]
