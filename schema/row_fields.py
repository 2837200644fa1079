"""Fields that answer with a value the object holds: declared once, beside the field.

`hint: str = reads("row.hint", description=...)` is the whole declaration of a field that reads its
object's row. graphql-core's path calls the resolver; the fast executor (schema/fast_path.py) reads
the same chain straight from the object without calling anything, from the field's metadata.

A field that is a simple function of the row says which, after the chain, and the resolver is made
from the same words: `reads("row.status", call_with="now")` is `row.status(view.now)`,
`reads("row.scopes", each=SCOPES)` is `[SCOPES[s] for s in row.scopes]`, `reads("row.setting",
through=STATES)`, `reads("row.feature_id", looked_up_in="features")`, `reads("row.id", via=f)`. Where a
list of such views comes as `fastgraph.RowViews` and its query selects only such fields, the fast path
builds each item's response from its row, and no view is made (a page of 1,000 keys).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import strawberry

from fastgraph import RowRead

# The metadata keys: what the fast path reads from a view (an attribute chain, or a function of the view
# alone), and how the field reads a view's row (a RowRead), for a chain that starts at `row`.
READS = "reads"
ROW_READ = "row_read"


def reads(
    chain: str,
    *,
    description: str,
    call_with: str | None = None,
    looked_up_in: str | None = None,
    through: Mapping[Any, Any] | None = None,
    each: Mapping[Any, Any] | None = None,
    via: Callable[[Any], Any] | None = None,
) -> Any:
    """A field whose value is `object.<chain>` (e.g. "row.hint"), then at most one of: called with the
    object's attribute `call_with`, looked up in its attribute `looked_up_in`, looked up in `through`,
    each item looked up in `each`, passed to `via`. Its type is the annotation's."""
    head, _, rest = chain.partition(".")
    on_row = head == "row" and bool(rest)
    # Validated here (names only, one step at most): the fast path writes the read into its builders.
    read = RowRead(rest if on_row else chain, call_with, looked_up_in, through, each, via)
    if not on_row and not read.bare:
        raise ValueError(f"{chain}: only a read of `row.<attribute>` takes a step after it")
    value, extra = read.value, read.extra

    def resolve(root: Any) -> Any:
        if not on_row:
            return value(root, None)
        return value(root.row, None if extra is None else getattr(root, extra))

    metadata: dict[str, Any] = {READS: chain if read.bare else resolve}
    if on_row:
        metadata[ROW_READ] = read
    # Strawberry takes the field's type from the resolver's annotation when it has one: leave it out.
    del resolve.__annotations__["return"]
    return strawberry.field(resolver=resolve, description=description, metadata=metadata)
