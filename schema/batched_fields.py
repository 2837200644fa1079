"""Fields answered for every item of a list at once, not once per item.

A nested query lists 50 carriers and asks each for its keys and its enablements. One resolver call per
carrier and field is 100 trips through Strawberry's argument conversion, a coroutine, a task and a
dataloader future: in a profile, most of a nested query's CPU. A field marked `@batched(fn)` has a
second resolver, `fn(items, info, **arguments)`, that answers the field for a whole list of its
objects and returns one answer per item, in order. The fast path (schema/fast_execution.py) calls it
once per list, with the arguments converted once; the field's own resolver calls the same function
with one item, so the two paths share their code and cannot drift apart.

A batch resolver may use `info` for the context and the field's selection, never for the item's
position (`info.path` is the first item's). When it raises, the standard path answers the list
instead, item by item, and reports the error exactly as it always would.

The answers are completed with the standard executor's error handling and in its order (a field's
answers for every item as its batch lands, then the nulls of items whose non-null field failed), so
the data and the errors are the same. One thing is not reproduced: errors raised in async work nested
*below* two or more batched fields (a key's carrier, an event's carrier) may be listed in another
order, as they are between two runs of the standard executor whose loaders answer in another order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

BatchResolver = Callable[..., Awaitable[Sequence[Any]]]
Resolver = TypeVar("Resolver", bound=Callable[..., Any])

_BATCHES: dict[Callable[..., Any], BatchResolver] = {}


def batched(batch: BatchResolver) -> Callable[[Resolver], Resolver]:
    """Mark a field's resolver as answered, for a whole list of its objects, by `batch`."""

    def mark(resolver: Resolver) -> Resolver:
        _BATCHES[resolver] = batch
        return resolver

    return mark


def batch_of(resolver: Callable[..., Any]) -> BatchResolver | None:
    return _BATCHES.get(resolver)
