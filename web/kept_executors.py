"""graphql-core executors for a kept document, built without reading the document again.

`Executor.build` walks the document for its operation and fragments and coerces each variable through
graphql-core's general input coercion (a signature per variable definition, the input type's walk, the
nesting check): about 16 µs of the small query's CPU, served, for what the document's first request
already knew. A `KeptExecutors` is made from the executor that first request built: it keeps that
executor's fragments and each variable's signature, and builds later executors with the same
constructor arguments `build` passes, coercing the variables itself where that is a type check:
variables without a default, of type String, ID given as a string, Boolean or Int (each nullable or
not). Anything else (another type, a default, a value of another type, a missing required value) is
`build`'s to coerce, or to refuse in its words: `executor` then answers None. Nothing of that first
request is kept (its context, its variables' values).

tests/web/test_kept_executors.py compares the variables of both on generated values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLString,
    OperationDefinitionNode,
    Undefined,
    VariableValues,
    default_field_resolver,
    default_type_resolver,
)
from graphql.execution import Executor

INT_RANGE = range(-(2**31), 2**31)


def _is_string(value: Any) -> bool:
    return type(value) is str


def _is_boolean(value: Any) -> bool:
    return type(value) is bool


def _is_int(value: Any) -> bool:
    return type(value) is int and value in INT_RANGE


# graphql-core's coercion of these scalars returns a value of exactly this kind as it is.
CHECKS: dict[object, Callable[[Any], bool]] = {
    GraphQLString: _is_string,
    GraphQLID: _is_string,  # an ID given as a number becomes a string: build's to convert
    GraphQLBoolean: _is_boolean,
    GraphQLInt: _is_int,
}


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    # The executor's source for this variable, its value to be replaced per request.
    source: Any
    check: Callable[[Any], bool]
    required: bool


class KeptExecutors:
    def __init__(self, first: Executor[Any], variables: tuple[Variable, ...]) -> None:
        self.schema = first.schema
        self.fragment_definitions = first.fragment_definitions
        self.fragments = first.fragments
        self.operation = first.operation
        self.variables = variables

    @classmethod
    def of(cls, first: Executor[Any], operation: OperationDefinitionNode) -> KeptExecutors | None:
        """From the executor the document's first request built; None where its variables are not all
        type checks (or its fragments take variables)."""
        if any(details.variable_signatures for details in first.fragments.values()):
            return None
        variables = []
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            source = first.variable_values.sources.get(name)
            if source is None or definition.default_value is not None:
                return None
            signature_type = source.signature.type
            required = isinstance(signature_type, GraphQLNonNull)
            named = signature_type.of_type if isinstance(signature_type, GraphQLNonNull) else signature_type
            check = CHECKS.get(named)
            if check is None:
                return None
            variables.append(Variable(name, source._replace(value=Undefined), check, required))
        return cls(first, tuple(variables))

    def executor(
        self,
        executor_class: type[Executor[Any]],
        context: Any,
        raw_variables: Mapping[str, Any] | None,
        *,
        is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
        operation_extensions: dict[str, Any] | None,
    ) -> Executor[Any] | None:
        """An executor as `build` would make it for these variables, or None for `build` to make."""
        coerced = self.coerced(raw_variables)
        if coerced is None:
            return None
        # The constructor's arguments as `build` passes them; `operation_extensions` is Strawberry's own
        # (its executor class takes them: the class here is Strawberry's, extended).
        make: Callable[..., Executor[Any]] = executor_class
        return make(
            schema=self.schema,
            fragment_definitions=self.fragment_definitions,
            fragments=self.fragments,
            root_value=None,
            context_value=context,
            operation=self.operation,
            variable_values=coerced,
            field_resolver=default_field_resolver,
            type_resolver=default_type_resolver,
            subscribe_field_resolver=default_field_resolver,
            is_awaitable=is_awaitable,
            operation_extensions=operation_extensions,
        )

    def coerced(self, raw_variables: Mapping[str, Any] | None) -> VariableValues | None:
        """The variables as graphql-core coerces them, or None where that is not a type check."""
        given = raw_variables or {}
        sources: dict[str, Any] = {}
        coerced: dict[str, Any] = {}
        for variable in self.variables:
            name = variable.name
            value = given.get(name, Undefined)
            if value is Undefined:
                if variable.required:
                    return None
                sources[name] = variable.source  # omitted: no coerced value
                continue
            if value is None:
                if variable.required:
                    return None
            elif not variable.check(value):
                return None
            sources[name] = variable.source._replace(value=value)
            coerced[name] = value
        return VariableValues(sources, coerced)
