"""Fields that answer with a value the object holds: declared once, beside the field.

`hint: str = reads("row.hint", description=...)` is the whole declaration of a field that reads its
object's row. graphql-core's path calls the resolver; the fast executor (schema/fast_path.py) reads
the same chain straight from the object without calling anything, from the field's metadata.
"""

from __future__ import annotations

import operator
from typing import Any

import strawberry

# The metadata key under which a field names the chain of attributes it reads.
READS = "reads"


def reads(chain: str, *, description: str) -> Any:
    """A field whose value is `object.<chain>` (e.g. "row.hint"); its type is the annotation's."""
    get = operator.attrgetter(chain)

    def resolve(root: Any) -> Any:
        return get(root)

    # Strawberry takes the field's type from the resolver's annotation when it has one: leave it out.
    del resolve.__annotations__["return"]
    return strawberry.field(resolver=resolve, description=description, metadata={READS: chain})
