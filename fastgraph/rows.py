"""Objects that are views of rows, and lists of them that keep their rows.

A page of 1,000 keys is 1,000 view objects (a key's row and the request's time) for graphql-core to
read, and making them cost more than reading them. A list given as `RowViews` keeps the rows and how
to view one; where a plan has a *row builder* for the list's item type and selection (every field
selected reads the row, declared as a `RowRead`), the fast path builds each item's response from its
row and makes no view. Everyone else (graphql-core, a plan without a row builder, a resolver looking at
the list) iterates it and gets the views, made once, when first read.

A `RowRead` says how a field's value comes from the row (and the view's one other attribute, its
extra): the row's attribute chain, then at most one of a call with the extra, a lookup in the extra, a
mapping, a mapping of each item, or a function. Whoever declares one declares the field's resolver from
the same read (schema/row_fields.py), so that the two cannot differ.
"""

from __future__ import annotations

import keyword
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowRead:
    """`row.<chain>`, then at most one of: called with the view's attribute `call_with` (the request's
    time), looked up in its attribute `looked_up_in` (the features of a catalogue), looked up in
    `through`, each item looked up in `each`, or passed to `via`."""

    chain: str
    call_with: str | None = None
    looked_up_in: str | None = None
    through: Mapping[Any, Any] | None = None
    each: Mapping[Any, Any] | None = None
    via: Callable[[Any], Any] | None = None
    # The chain is one name the row answers by subscript as well (an asyncpg record's column): the
    # builder reads `row["hint"]`, a step cheaper than the attribute (a property over the item).
    item: bool = False
    get: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        steps = (self.call_with, self.looked_up_in, self.through, self.each, self.via)
        if sum(step is not None for step in steps) > 1:
            raise ValueError("a row read takes at most one step after its chain")
        if self.item and "." in self.chain:
            raise ValueError("only a read of one name is read by subscript")
        for name in (*self.chain.split("."), self.call_with or "x", self.looked_up_in or "x"):
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"not an attribute name: {name!r}")
        object.__setattr__(self, "get", operator.attrgetter(self.chain))

    @property
    def bare(self) -> bool:
        """Whether the value is the chain's, with no step after it."""
        steps = (self.call_with, self.looked_up_in, self.through, self.each, self.via)
        return all(step is None for step in steps)

    @property
    def extra(self) -> str | None:
        """The view's attribute (besides its row) this read uses, if any."""
        return self.call_with or self.looked_up_in

    def value(self, row: Any, extra: Any) -> Any:
        """The field's value from a row and the view's `extra` attribute."""
        value = self.get(row)
        if self.call_with is not None:
            return value(extra)
        if self.looked_up_in is not None:
            return extra[value]
        if self.through is not None:
            return self.through[value]
        if self.each is not None:
            each = self.each
            return [each[item] for item in value]
        if self.via is not None:
            return self.via(value)
        return value


@dataclass(frozen=True, slots=True)
class RowView(Generic[T]):
    """How an object of `cls` is made from a row: `cls(row=row, <extra_name>=extra)`."""

    cls: type[T]
    extra_name: str
    extra: Any

    def __call__(self, row: Any) -> T:
        return self.cls(**{"row": row, self.extra_name: self.extra})


class RowViews(Sequence[T]):
    """A list of views of `rows`, made when first read."""

    __slots__ = ("_views", "rows", "view")

    def __init__(self, rows: Sequence[Any], view: RowView[T]) -> None:
        self.rows = rows
        self.view = view
        self._views: list[T] | None = None

    @property
    def viewed(self) -> bool:
        """Whether the views were made (someone may hold them, and expect to see them answered)."""
        return self._views is not None

    def views(self) -> list[T]:
        if self._views is None:
            view = self.view
            self._views = [view(row) for row in self.rows]
        return self._views

    def __iter__(self) -> Iterator[T]:
        return iter(self.views())

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.views()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowViews):
            return self.views() == other.views()
        return self.views() == other

    __hash__ = None  # type: ignore[assignment]  # as a list's

    def __repr__(self) -> str:
        return f"RowViews({self.view.cls.__name__}, {len(self.rows)} rows)"
