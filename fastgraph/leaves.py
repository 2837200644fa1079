"""Completing a leaf: a scalar or an enum value as the response writes it.

The built-in scalars' output coercion is the identity for values already of their own type (a `str`
for String and ID, a `bool` for Boolean, a 32-bit `int` for Int, a finite `float` for Float): those pass
as they are. An enum's output depends only on the value: coerced once per value, then remembered.
Everything else goes through the type's own `coerce_output_value`. (An enum's output depends only on
the value: a member's is coerced once and then found by identity.) A value the type refuses is the
standard executor's to report (Fallback).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLString,
    Undefined,
)

Complete = Callable[[Any], Any]
INT_RANGE = range(-(2**31), 2**31)


class Fallback(Exception):
    """This operation is the standard executor's to answer."""


def leaf(leaf_type: GraphQLLeafType) -> Complete:
    """How to complete a non-null value of `leaf_type`."""
    coerce = _coerced(leaf_type)
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return lambda value: value if type(value) is str else coerce(value)
    if leaf_type is GraphQLBoolean:
        return lambda value: value if type(value) is bool else coerce(value)
    if leaf_type is GraphQLInt:
        return lambda value: value if type(value) is int and value in INT_RANGE else coerce(value)
    if leaf_type is GraphQLFloat:
        return lambda value: value if type(value) is float and math.isfinite(value) else coerce(value)
    if isinstance(leaf_type, GraphQLEnumType):
        return Members(coerce).complete
    return coerce


def inline(
    leaf_type: GraphQLLeafType, constant: Callable[[Any], str], *, datetime_as_is: bool = False
) -> list[str]:
    """Python lines completing a non-null `v` of `leaf_type` in place, for a compiled builder (which
    hands any exception to graphql-core): the same steps as `leaf`, without a call where none is needed.
    `constant(value)` names a value the lines use. `datetime_as_is`: the scalar's output is a
    datetime's `isoformat()` and the response's writer writes a UTC datetime exactly so (orjson does):
    such a value is left to it (its `isoformat` cost more than all the rest of a key's fields)."""
    if datetime_as_is:
        coerce = constant(leaf_type.coerce_output_value)
        return [
            f"if type(v) is not {constant(datetime)} or v.tzinfo is not {constant(UTC)}:",
            f"    v = {coerce}(v)",
            f"    if v is None or v is {constant(Undefined)}: raise Fallback",
        ]
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return [f"if type(v) is not str: v = {constant(leaf(leaf_type))}(v)"]
    if leaf_type is GraphQLBoolean:
        return [f"if type(v) is not bool: v = {constant(leaf(leaf_type))}(v)"]
    if isinstance(leaf_type, GraphQLEnumType):
        members = Members(_coerced(leaf_type))
        known = constant(members.known)
        return [
            f"e = {known}.get(id(v))",
            f"v = e[1] if e is not None and e[0] is v else {constant(members.complete)}(v)",
        ]
    # Any other scalar: its own output coercion, called directly (a datetime's is a C method); what it
    # raises reaches the executor, which hands the operation to graphql-core as Fallback does.
    return [
        f"v = {constant(leaf_type.coerce_output_value)}(v)",
        f"if v is None or v is {constant(Undefined)}: raise Fallback",
    ]


def inline_item(leaf_type: GraphQLLeafType, constant: Callable[[Any], str]) -> str:
    """A Python expression completing an item `x` (which may not be null) of a list of `leaf_type`, for
    a compiled builder: `[Scope!]!` costs a comprehension, not a call per scope. A null or a value the
    type refuses raises, which hands the operation to graphql-core."""
    complete = constant(required(leaf(leaf_type)))
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return f"x if type(x) is str else {complete}(x)"
    if leaf_type is GraphQLBoolean:
        return f"x if type(x) is bool else {complete}(x)"
    if isinstance(leaf_type, GraphQLEnumType):
        members = Members(_coerced(leaf_type))
        known = constant(members.known)
        complete = constant(required(members.complete))
        return f"e[1] if (e := {known}.get(id(x))) is not None and e[0] is x else {complete}(x)"
    return f"{complete}(x)"


def required(complete: Complete) -> Complete:
    """A non-null field's completion: a null is the standard executor's to report."""

    def refusing(value: Any) -> Any:
        if value is None:
            raise Fallback  # the standard executor reports the null with its path
        return complete(value)

    return refusing


class Members:
    """An enum's output depends only on the value: for enum members (immortal, one object each) it is
    coerced once and then found by identity, the member kept beside it to check it is the same."""

    def __init__(self, coerce: Complete) -> None:
        self.coerce = coerce
        self.known: dict[int, tuple[Any, Any]] = {}

    def complete(self, value: Any) -> Any:
        found = self.known.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        coerced = self.coerce(value)
        if isinstance(value, enum.Enum):
            self.known[id(value)] = (value, coerced)
        return coerced


def _coerced(leaf_type: GraphQLLeafType) -> Complete:
    coerce_output_value = leaf_type.coerce_output_value

    def coerce(value: Any) -> Any:
        try:
            coerced = coerce_output_value(value)
        except Exception:
            raise Fallback from None
        if coerced is None or coerced is Undefined:
            raise Fallback
        return coerced

    return coerce
