"""An enablements batch reads the rows and the features they name in two statements; a feature changed
in between must not leave a response whose effective values disagree with the feature's default."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from access.principal import staff
from db import enablements, features
from tests import factories


@pytest.mark.parametrize("carriers", [1, 3])
async def test_a_feature_changed_between_the_two_reads_is_read_again_from_one_snapshot(
    own_database: str, monkeypatch: pytest.MonkeyPatch, carriers: int
) -> None:
    # given: carriers that inherit a feature's default (false), among other features
    setup = await asyncpg.connect(own_database)
    owners = [await factories.carrier(setup, f"SNAP{n}") for n in range(carriers)]
    await factories.feature(setup, "snapshot.before", default=True)
    feature = await factories.feature(setup, "snapshot.feature", default=False)
    await factories.feature(setup, "snapshot.other", default=True)
    reads = 0
    read_features = features.by_keys

    async def by_keys_after_a_change(conn: Any, *, keys: Any) -> Any:
        # when: another connection turns the default on, and commits, between the two statements
        nonlocal reads
        reads += 1
        if reads == 1:
            await setup.execute(
                "update features set default_enabled = true, version = version + 1 where id = $1", feature
            )
        return await read_features(conn, keys=keys)

    monkeypatch.setattr(features, "by_keys", by_keys_after_a_change)
    reader = await asyncpg.connect(own_database)
    try:
        found = await enablements.for_carriers(
            reader, reach=staff("t", "T", None).reach, owner_ids=owners, with_updates=False
        )
    finally:
        await reader.close()
        await setup.close()

    # then: both were read again, and agree for every carrier: the default is on, and so is its value
    assert reads == 2
    for owner in owners:
        [row] = [r for r in found[owner].rows if r.feature_key == "snapshot.feature"]
        assert found[owner].feature(row).default_enabled is True
        assert (row.source_name, row.effective) == ("DEFAULT", True)
