"""Search arguments as LIKE patterns, shared by the repositories that search by text."""

from __future__ import annotations


def like_pattern(search: str | None) -> str | None:
    """The search text as a pattern that matches it literally (`%` and `_` are not wildcards here);
    None for no search. Used with `ilike '%' || $n || '%' escape '\\'`."""
    if search is None or not search.strip():
        return None
    return search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
