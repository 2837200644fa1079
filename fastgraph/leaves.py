"""Completing a leaf: a scalar or an enum value as the response writes it.

The built-in scalars' output coercion is the identity for values already of their own type (a `str`
for String and ID, a `bool` for Boolean, a 32-bit `int` for Int, a finite `float` for Float): those pass
as they are. An enum's output depends only on the value: coerced once per value, then remembered.
Everything else goes through the type's own `coerce_output_value`. A value the type refuses is the
standard executor's to report (Fallback).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
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
        return _remembered(coerce)
    return coerce


def identity_type(leaf_type: GraphQLLeafType) -> type | None:
    """The Python type whose values `leaf_type` writes as they are, with no condition on the value."""
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return str
    if leaf_type is GraphQLBoolean:
        return bool
    return None


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


def _remembered(coerce: Complete) -> Complete:
    # By type and value: a str-valued enum member equals its plain string, and may coerce otherwise.
    known: dict[tuple[type, Hashable], Any] = {}

    def complete(value: Any) -> Any:
        key = (type(value), value)
        try:
            return known[key]
        except KeyError:
            known[key] = coerced = coerce(value)
            return coerced
        except TypeError:  # unhashable: nothing to remember it by
            return coerce(value)

    return complete
