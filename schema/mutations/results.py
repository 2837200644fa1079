"""What every mutation answers: its payload, or a member of its error union saying why nothing changed."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from context import Context
from resolvers.errors import ApiError
from schema.user_errors import user_error

T = TypeVar("T")


def result_union(name: str) -> Any:
    """The union marker of a mutation's result type: `Annotated[Payload | SomeError, result_union("X")]`."""
    mutation = name.removesuffix("Result")
    return strawberry.union(
        name,
        description=f"What {mutation[0].lower()}{mutation[1:]} answers: its payload, or why nothing changed.",
    )


def mutation(
    description: str,
    *,
    guard: object,
    takes: type,
    answers: Any,
    run: Callable[[Context, Any], Awaitable[T]],
    payload: Callable[[Context, T], Any],
) -> Any:
    """A mutation field: `run` (its resolver, given the context and the input, of type `takes`) changes
    what it changes, and `payload` (given the context and what `run` returned) builds its answer; an
    expected failure answers as the member of `answers`, the result union, that names it. `guard` is its
    access mark (@restricted, @requiresScope), enforced from the schema (schema/enforcement.py)."""

    async def resolve(self: Any, info: Info[Context, None], input: Any) -> Any:
        context = info.context
        return await attempt(run(context, input), lambda result: payload(context, result))

    # Strawberry reads the field's argument and type from these (the factory's own are generic).
    resolve.__annotations__ = {"info": Info[Context, None], "input": takes, "return": answers}
    return strawberry.mutation(description=description, directives=[guard])(resolve)


async def attempt(work: Awaitable[T], success: Callable[[T], Any]) -> Any:
    """Run a mutation: its result through `success`, or its expected failure as a GraphQL error type.

    Typed Any: the caller's annotation (the mutation's result union) is what the schema checks."""
    try:
        result = await work
    except ApiError as error:
        member = user_error(error)
        if member is None:
            raise
        return member
    answer = success(result)
    return await answer if inspect.isawaitable(answer) else answer
