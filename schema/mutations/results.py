"""What every mutation answers: its payload, or a member of its error union saying why nothing changed."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from context import Context
from resolvers.errors import ApiError
from schema.user_errors import user_error

T = TypeVar("T")

# The description of the `expectedVersion` most mutations' inputs take (a key policy's says its own).
EXPECTED_VERSION = "The version you last saw; the change is refused with a ConflictError if it moved on."


def result_union(name: str) -> Any:
    """The union marker of a mutation's result type: `Annotated[Payload | SomeError, result_union("X")]`."""
    mutation = name.removesuffix("Result")
    return strawberry.union(
        name,
        description=f"What {mutation[0].lower()}{mutation[1:]} answers: its payload, or why nothing changed.",
    )


def forward(resolver: Callable[..., Awaitable[T]], **renamed: str) -> Callable[[Context, Any], Awaitable[T]]:
    """What a mutation runs when its resolver takes the input's fields as keyword arguments, by the same
    names (or as `renamed` says: `id="carrier_id"`). `mutation(...)` checks the names against its input
    type when the module is imported, so a renamed field or keyword fails at start, not per request."""

    def run(context: Context, input: Any) -> Awaitable[T]:
        given = {renamed.get(f.name, f.name): getattr(input, f.name) for f in dataclasses.fields(input)}
        return resolver(context, **given)

    run.forwards = (resolver, renamed)  # type: ignore[attr-defined]  # checked by mutation(...)
    return run


def check_forwarding(takes: type, resolver: Callable[..., Any], renamed: dict[str, str]) -> None:
    """Every field of the input names a keyword of the resolver, and every keyword the resolver
    requires is given; otherwise a TypeError naming the mismatch."""
    given = {renamed.get(f.name, f.name) for f in dataclasses.fields(takes)}
    parameters = dict(inspect.signature(resolver).parameters)
    parameters.pop(next(iter(parameters)))  # the context
    unknown = given - parameters.keys()
    missing = {
        name for name, p in parameters.items() if p.default is inspect.Parameter.empty and name not in given
    }
    if unknown or missing:
        raise TypeError(
            f"{takes.__name__} → {resolver.__qualname__}: fields the resolver does not take "
            f"{sorted(unknown)}, keywords the input does not give {sorted(missing)}"
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

    forwards = getattr(run, "forwards", None)
    if forwards is not None:
        check_forwarding(takes, *forwards)

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
