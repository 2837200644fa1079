"""The keys a page of carriers loads by (db/loaders.ChildPageKey, EnablementsKey, with the page's
db/pagination.PageRequest inside) keep their hash with them: keys equal by their parts are one key to a
loader, keys that differ in any part are two, whatever the parts. Drawn pairs of pages and parents."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import strategies as st

from db.loaders import ChildPageKey, EnablementsKey, RequestLoader
from db.pagination import Cursor, PageRequest
from tests.drawn import drawn

PARENTS = [uuid.UUID(int=n) for n in range(3)]
CURSORS = st.one_of(
    st.none(),
    st.builds(
        Cursor, st.sampled_from(["keys", "carriers"]), st.sampled_from(["a", "b"]), st.sampled_from(PARENTS)
    ),
)
PAGES = st.builds(PageRequest, st.integers(1, 3), CURSORS, CURSORS, st.booleans(), st.booleans())
KEYS = st.builds(
    ChildPageKey,
    st.sampled_from(PARENTS),
    PAGES,
    st.sampled_from([None, "ACTIVE"]),
    st.sampled_from([None, frozenset({"hint"}), frozenset({"hint", "scopes"})]),
)
PAIRS = drawn(st.tuples(KEYS, KEYS, st.booleans()), 200)


def parts(key: ChildPageKey) -> tuple[Any, ...]:
    page = key.page
    return (
        key.parent_id,
        page.limit,
        page.after,
        page.before,
        page.backward,
        page.descending,
        key.filter,
        key.columns,
    )


def rebuilt(key: ChildPageKey) -> ChildPageKey:
    """An equal key made afresh from its parts (an equal key need not be the same object)."""
    page = key.page
    fresh = PageRequest(page.limit, page.after, page.before, page.backward, page.descending)
    return ChildPageKey(key.parent_id, fresh, key.filter, key.columns)


async def loaded_in(a: Any, b: Any) -> tuple[list[int], bool]:
    """The sizes of the batches a loader asks for `a` and `b`, and whether they got one answer."""
    batches: list[int] = []

    async def batch(keys: list[Any]) -> list[Any]:
        batches.append(len(keys))
        return [object() for _ in keys]

    loader: RequestLoader[Any, Any] = RequestLoader(batch_load_fn=batch)
    first, second = await loader.load_many([a, b])
    return batches, first is second


async def test_a_loader_loads_keys_equal_by_their_parts_once_and_others_apart() -> None:
    for first, second, enablements in PAIRS:
        if enablements:  # an enablements key's parts: the owner and whether updates are read
            a: Any = EnablementsKey(first.parent_id, first.page.backward)
            b: Any = EnablementsKey(second.parent_id, second.page.backward)
            same = (a.owner_id, a.with_updates) == (b.owner_id, b.with_updates)
        else:
            a, b = first, rebuilt(second)
            same = parts(first) == parts(second)
        assert (a == b) is same
        if same:
            assert hash(a) == hash(b)
        assert await loaded_in(a, b) == ([1 if same else 2], same)
