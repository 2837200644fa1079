"""One operation's execution on the fast path: a plan's builders over one request's objects.

The plan (fastgraph/plan.py) is the request-independent part and is kept between requests; a run is
what one request adds: its executor (variables, context, resolve infos) and the resolvers it has
called. Plain reads and their completion run inline in the plan's builders; resolvers are called as
graphql-core calls them, and those that return awaitables are awaited together, a level at a time, so
that the dataloaders behind them batch exactly as before.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField, GraphQLObjectType
from graphql.execution import Executor, get_argument_values
from graphql.pyutils import Path

from fastgraph.leaves import Fallback
from fastgraph.plan import Entry, FieldAt, Plan


@dataclass(slots=True)
class Pending:
    awaitable: Any
    into: dict[str, Any]
    entry: Entry
    at: FieldAt


class Run:
    def __init__(self, executor: Executor[Any], plan: Plan) -> None:
        self.executor = executor
        self.plan = plan
        self.is_awaitable = executor.is_awaitable
        self.pending: list[Pending] = []
        # Arguments that name variables, read once per request and field (not once per object).
        self.arguments: dict[int, dict[str, Any]] = {}
        self.from_rows = 0  # lists of views built from their rows
        # Objects built by loops over rows, by builder, then identity (kept with the object, so that the
        # id is not reused meanwhile): a catalogue's feature is built once for the 750 enablements
        # naming it.
        self.built: dict[Any, dict[int, tuple[Any, dict[str, Any]]]] = {}

    async def root(self, root_type: GraphQLObjectType, root_value: Any) -> dict[str, Any]:
        try:
            data = self.plan.builder(root_type, self.plan.root)(root_value, None, self)
            while self.pending:
                batch, self.pending = self.pending, []
                values = await _gathered([pending.awaitable for pending in batch])
                for pending, value in zip(batch, values, strict=True):
                    pending.into[pending.entry.key] = pending.entry.complete(value, pending.at)
        except BaseException:
            self._abandon()
            raise
        return data

    def _abandon(self) -> None:
        """Resolvers' awaitables not started yet are closed: nothing of this run goes on running."""
        for pending in self.pending:
            close = getattr(pending.awaitable, "close", None) or getattr(pending.awaitable, "cancel", None)
            if close is not None:
                close()
        self.pending = []

    def resolve(
        self, object_type: GraphQLObjectType, entry: Entry, source: Any, path: Path | None, into: Any
    ) -> Any:
        """A field with a resolver, called as graphql-core calls it; an awaitable answer waits for the
        level's others."""
        field = entry.field
        assert field is not None
        executor = self.executor
        field_path = Path(path, entry.key, object_type.name)
        info = executor.build_resolve_info(field, entry.nodes, object_type, field_path)
        at = FieldAt(self, field, entry.nodes, object_type, field_path, info)
        resolve = field.resolve or executor.field_resolver
        value = resolve(source, info, **self._arguments(entry, field))
        if self.is_awaitable(value):
            self.pending.append(Pending(value, into, entry, at))
            return None
        return entry.complete(value, at)

    def answer(self, object_type: GraphQLObjectType, entry: Entry, value: Any, path: Path | None) -> Any:
        """An answer the object carries, completed as its resolver's value would be."""
        assert entry.field is not None
        at = FieldAt(self, entry.field, entry.nodes, object_type, Path(path, entry.key, object_type.name))
        return entry.complete(value, at)

    def _arguments(self, entry: Entry, field: GraphQLField) -> dict[str, Any]:
        if entry.constant_arguments:
            if entry.arguments is None:
                entry.arguments = _arguments(self.executor, field, entry)
            return entry.arguments
        arguments = self.arguments.get(id(entry))
        if arguments is None:
            arguments = self.arguments[id(entry)] = _arguments(self.executor, field, entry)
        return arguments


def _arguments(executor: Executor[Any], field: GraphQLField, entry: Entry) -> dict[str, Any]:
    """The field's arguments as graphql-core's `get_argument_values` makes them. An argument given as a
    variable that has a value its argument takes (a value, or a null where the argument may be null)
    is that value (graphql-core's coercion reads the variable's coerced value as it is); every other
    argument is a literal or a default, the same for every request: those are kept from the first
    request whose variables all had such values, and each later one like it reads only its variables."""
    node = entry.nodes[0]
    if not field.args and not node.arguments:
        return {}
    coerced = executor.variable_values.coerced
    reads = entry.variable_arguments
    if reads is not None and _all_taken(reads, coerced):
        if entry.other_arguments is not None:
            arguments = dict(entry.other_arguments)
            for name, variable, _ in reads:
                arguments[name] = coerced[variable]
            return arguments
        arguments = get_argument_values(field, node, executor.variable_values)
        variables = {name for name, _, _ in reads}
        entry.other_arguments = {name: value for name, value in arguments.items() if name not in variables}
        return arguments
    return get_argument_values(field, node, executor.variable_values)


def _all_taken(reads: tuple[tuple[str, str, bool], ...], coerced: dict[str, Any]) -> bool:
    """Whether every variable read has a value its argument takes."""
    for _, variable, required in reads:
        value = coerced.get(variable, _MISSING)
        if value is _MISSING or (value is None and required):
            return False
    return True


_MISSING = object()


async def _gathered(awaitables: list[Any]) -> list[Any]:
    """Every result, or Fallback once one fails (the others cancelled first: nothing runs on after)."""
    if len(awaitables) == 1:
        try:
            return [await awaitables[0]]
        except Exception:
            raise Fallback from None
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        return await asyncio.gather(*tasks)
    except Exception:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise Fallback from None
