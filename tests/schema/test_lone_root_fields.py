"""A lookup that is its operation's only root field sends its statement at once (schema/selection.alone,
db/loaders.RequestLoader.load_alone); lookups beside others still share their batches. Generated root
selections of carrier and organization lookups (by code or id, aliased, some inside an inline
fragment, some nesting another lookup of the same row) answer the same on both executors, and send one
statement per kind of lookup at the root plus the nested ones' own, whether a field is alone or not."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import build_schema
from tests import factories
from tests.conftest import staff_context
from tests.drawn import drawn
from tests.schema.test_fast_path import settled

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
SCHEMAS = {"graphql-core": build_schema(fast=False), "plans": build_schema(fast=True)}
CODES = ("LONE1", "LONE2", "LONE3")
LOADERS = {"code": "carrier_by_code", "id": "carrier_by_id", "organization": "organization_by_id"}

# (which lookup, which row, whether it nests the carrier's organization)
LOOKUP = st.tuples(st.sampled_from(["code", "id", "organization"]), st.integers(0, 2), st.booleans())
SELECTIONS = drawn(st.tuples(st.lists(LOOKUP, min_size=1, max_size=4), st.booleans()), 40)


def _field(index: int, lookup: tuple[str, int, bool], ids: dict[str, list[str]]) -> str:
    kind, row, nested = lookup
    organization = " organization { name }" if nested else ""
    if kind == "code":
        return f'f{index}: carrier(code: "{CODES[row]}") {{ code{organization} }}'
    if kind == "id":
        return f'f{index}: carrier(id: "{ids["carrier"][row]}") {{ code{organization} }}'
    return f'f{index}: organization(id: "{ids["organization"][row]}") {{ name }}'


def _expected_statements(lookups: list[tuple[str, int, bool]]) -> int:
    """A statement per kind of lookup at the root; a carrier's organization, when asked, one more, unless
    the root already loaded organizations (the same loader: one batch at the root, then the cache for
    rows it read, and a batch of its own for the others)."""
    kinds = {LOADERS[kind] for kind, _, _ in lookups}
    root_organizations = {row for kind, row, _ in lookups if kind == "organization"}
    nested = {row for kind, row, nested in lookups if kind != "organization" and nested}
    return len(kinds) + (1 if nested - root_organizations else 0)


async def test_lone_and_shared_root_lookups_answer_alike_with_the_same_statements(conn: Connection) -> None:
    organizations = [await factories.organization(conn, f"Lone Group {n}") for n in range(3)]
    carriers = [
        await factories.carrier(conn, code, organization_id=organizations[n]) for n, code in enumerate(CODES)
    ]
    ids = {
        "carrier": [str(to_global_id("Carrier", c)) for c in carriers],
        "organization": [str(to_global_id("Organization", o)) for o in organizations],
    }
    # The connection's first request also sends asyncpg's type introspection: not the lookups' to count.
    every = [("code", 0, True), ("id", 1, False), ("organization", 2, False)]
    warm_up = "{ " + " ".join(_field(index, lookup, ids) for index, lookup in enumerate(every)) + " }"
    await SCHEMAS["graphql-core"].execute(warm_up, context_value=staff_context(conn, NOW))
    for lookups, in_fragment in SELECTIONS:
        fields = " ".join(_field(index, lookup, ids) for index, lookup in enumerate(lookups))
        query = f"{{ ... on Query {{ {fields} }} }}" if in_fragment else f"{{ {fields} }}"
        answers = []
        for schema in SCHEMAS.values():
            for _ in range(2):  # the second run of the document is the kept plan's
                sent: list[str] = []
                result = await schema.execute(query, context_value=staff_context(conn, NOW, statements=sent))
                await settled()
                assert result.errors is None, (query, result.errors)
                answers.append(result.data)
                assert len(sent) == _expected_statements(lookups), (query, sent)
        assert all(answer == answers[0] for answer in answers), query
