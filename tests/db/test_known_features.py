"""Enablements read with the application's known catalogue (db/features.KnownFeatures) answer exactly as
a read of the catalogue would, and skip that read only while no feature changed.

Generated histories of the catalogue's changes, each followed by reads: a feature changed by the
application's own writer, deleted and made again under its key (a new id, version 1 again), or changed
by a transaction that read enablements and then rolled back (its version comes back with the next
change, with other contents). After each, a read with the known catalogue must equal one without it,
row for row and feature for feature, and send one statement when nothing changed since the last read,
two otherwise."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from asyncpg.connection import LoggedQuery
from hypothesis import given
from hypothesis import strategies as st

from access.principal import staff
from db import enablements, features
from db.features import FeatureRow, KnownFeatures
from tests import factories
from tests.drawn import drawn, properties

REACH = staff("t", "T", None).reach
FEATURES = 3


@dataclass(frozen=True)
class Change:
    kind: str  # "update", "recreate" or "rolled back"
    feature: int
    name: str
    default: bool


CHANGES = st.builds(
    Change,
    st.sampled_from(["update", "recreate", "rolled back"]),
    st.integers(0, FEATURES - 1),
    st.sampled_from(["Alpha", "Beta", "Gamma"]),
    st.booleans(),
)
# Each history: changes, and a read after each (None: read again with nothing changed).
HISTORIES = st.lists(st.one_of(st.none(), CHANGES), min_size=1, max_size=8)
# The history that catches keeping a transaction's own change: read inside it, roll back, then the
# same id and version come back, committed, with another name.
ROLLED_BACK_THEN_CHANGED = [
    Change("rolled back", 0, "Alpha", True),
    Change("update", 0, "Beta", False),
    None,
]


async def test_reads_with_the_known_catalogue_equal_reads_of_it(own_database: str) -> None:
    setup = await asyncpg.connect(own_database)
    reader = await asyncpg.connect(own_database)
    sent: list[str] = []

    def count(query: LoggedQuery) -> None:
        sent.append(query.query)

    reader.add_query_logger(count)
    try:
        carriers = [await factories.carrier(setup, f"KNOWN{n}") for n in range(2)]
        keys = [f"known.f{n}" for n in range(FEATURES)]
        ids = [await factories.feature(setup, key) for key in keys]
        for history in [ROLLED_BACK_THEN_CHANGED, *drawn(HISTORIES, 40)]:
            known = KnownFeatures()
            await _read(reader, carriers, known, sent)  # the first read learns the catalogue
            for change in history:
                if change is not None:
                    ids[change.feature] = await _make(change, setup, reader, carriers, keys, ids, known)
                answer, plain = await _read(reader, carriers, known, sent)
                assert answer == plain, history
                # One statement when nothing changed since the last read; a change is read again.
                assert len(sent) == (2 if change is not None and change.kind != "rolled back" else 1), history
    finally:
        await reader.close()
        await setup.close()


async def _make(
    change: Change,
    setup: asyncpg.Connection,
    reader: asyncpg.Connection,
    carriers: list[uuid.UUID],
    keys: list[str],
    ids: list[uuid.UUID],
    known: KnownFeatures,
) -> uuid.UUID:
    """Make `change` to the catalogue; the feature's id afterwards."""
    feature_id = ids[change.feature]
    if change.kind == "update":
        await _update(setup, feature_id, change)
    elif change.kind == "recreate":
        await setup.execute("delete from features where id = $1", feature_id)
        key = keys[change.feature]
        feature_id = await setup.fetchval(
            "insert into features (key, name, default_enabled) values ($1, $2, $3) returning id",
            key,
            change.name,
            change.default,
        )
    else:
        transaction = reader.transaction()
        await transaction.start()
        await _update(reader, feature_id, change)
        await enablements.for_carriers(reader, reach=REACH, owner_ids=carriers, known=known)
        await transaction.rollback()
    return feature_id


async def _update(conn: asyncpg.Connection, feature_id: uuid.UUID, change: Change) -> None:
    """The application's own change to a feature (its version bumped)."""
    await features.update(
        conn,
        feature_id=feature_id,
        name=change.name,
        description=None,
        default_enabled=change.default,
        expected_version=None,
    )


async def _read(
    reader: asyncpg.Connection, carriers: list[uuid.UUID], known: KnownFeatures, sent: list[str]
) -> tuple[list[object], list[object]]:
    """The carriers' enablements read with `known` (its statements left in `sent`), and read plainly."""
    # asyncpg hands a statement to its query loggers with call_soon, after the statement: one turn of the
    # event loop delivers those sent so far.
    await asyncio.sleep(0)
    sent.clear()
    answer = await enablements.for_carriers(reader, reach=REACH, owner_ids=carriers, known=known)
    await asyncio.sleep(0)
    statements = list(sent)
    plain = await enablements.for_carriers(reader, reach=REACH, owner_ids=carriers)
    sent[:] = statements
    return _seen(answer), _seen(plain)


def _seen(found: dict[uuid.UUID, enablements.OwnerEnablements]) -> list[object]:
    """Every row as values, with the feature it names."""
    return [
        (owner, tuple(row), found[owner].feature(row)) for owner in sorted(found) for row in found[owner].rows
    ]


@properties(100)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 3)), max_size=60), st.integers(1, 10))
def test_the_known_catalogue_is_bounded_and_keeps_the_latest(
    reads: list[tuple[int, int]], limit: int
) -> None:
    known = KnownFeatures(limit=limit)
    now = datetime.now(UTC)
    latest: dict[str, FeatureRow] = {}
    for number, version in reads:
        key = f"bounded.f{number}"
        row = FeatureRow(uuid.uuid5(uuid.NAMESPACE_DNS, key), key, key, "", False, version, now, now)
        known.keep([row])
        latest[key] = row
        assert len(known.rows) <= limit
        # what was just read is what it answers for that feature now
        assert known.catalogue([(key, row.id, version)]) == {key: row}
    for key, row in known.rows.items():
        assert latest[key] == row
