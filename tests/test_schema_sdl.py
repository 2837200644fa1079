"""The committed schema.graphql is the schema: any API change shows up in review."""

from __future__ import annotations

from pathlib import Path

from schema.build import schema

SDL_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    printed = schema.as_str() + "\n"
    assert SDL_FILE.read_text() == printed, (
        "schema.graphql is out of date: run `make schema` and commit the result"
    )
