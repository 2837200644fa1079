"""`db.enablements.organizations_of` names each organization of the carriers read once: the enablement
statements filter the organizations' settings by that array row by row, so a page of carriers of one
organization must not name it once per carrier (it cost a quarter of the nested read at 100 carriers)."""

from __future__ import annotations

from collections import Counter

from hypothesis import strategies as st

from db.enablements import organizations_of
from db.pool import Connection
from tests import factories
from tests.drawn import drawn

# Per carrier read: the index of its organization among three, or None (a carrier on its own).
PAGES = drawn(st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=1, max_size=30), 20)


async def test_each_organization_of_the_carriers_read_is_named_once(conn: Connection) -> None:
    organizations = [await factories.organization(conn) for _ in range(3)]
    for page in PAGES:
        of_each = [None if n is None else organizations[n] for n in page]
        carriers = [await factories.carrier(conn, organization_id=organization) for organization in of_each]
        named = await conn.fetchval(f"select {organizations_of('$1::uuid[]')}", carriers)
        expected = set(of_each)
        assert Counter(named) == Counter(expected), page
