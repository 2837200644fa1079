"""The executor class: the fast path for the operations it can answer, graphql-core's for the rest."""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLSchema
from graphql.execution import Executor

from fastgraph.plan import Answered, Classes, PlainFields, RowReads, Shape
from fastgraph.plans import Document, Plans
from fastgraph.run import Run

__all__ = ["Answered", "Classes", "Counters", "PlainFields", "executor_class"]


@dataclass
class Counters:
    """Operations since start: answered here; not eligible (graphql-core's from the start); begun
    here and handed to graphql-core (an error, a null where none may be, a surprise); and of those
    answered here, how many ran a plan an earlier request had built (`planned`); and the lists of
    views they built from rows, making no view (`from_rows`: fastgraph/rows.py)."""

    served: int = 0
    not_eligible: int = 0
    fell_back: int = 0
    planned: int = 0
    from_rows: int = 0


def executor_class(
    base: type[Executor[Any]],
    plain_fields: PlainFields,
    classes: Classes | None = None,
    counters: Counters | None = None,
    answered: Answered | None = None,
    *,
    plans: Plans | None = None,
    datetimes: frozenset[str] = frozenset(),
    for_writer: Callable[[Any], bool] | None = None,
    row_reads: RowReads | None = None,
) -> type[Executor[Any]]:
    """A subclass of `base` that answers what it can on the fast path. `classes` names, for object
    types whose is_type_of is an instance test, the class an object of exactly that type is;
    `answered`, for object types whose objects may carry answers, the attribute holding them; `plans`,
    where its plans are kept (one of its own by default); `datetimes`, the scalars whose output is a
    datetime's `isoformat()`, and `for_writer`, whether a request's response (given its context value)
    is written by a writer that writes a UTC datetime exactly so (orjson): then the datetimes of plain
    fields are left to it; `row_reads`, how fields of views of rows read the row (fastgraph/rows.py):
    a list of such views whose selection reads only those is built from its rows. The class serves one
    schema (Strawberry makes one per schema): the plans are of the schema of its first operation."""
    for read in plain_fields.values():
        # An attribute read is written into a builder's source: names only.
        if isinstance(read, str) and not all(
            part.isidentifier() and not keyword.iskeyword(part) for part in read.split(".")
        ):
            raise ValueError(f"not an attribute name or a chain of them: {read!r}")
    tally = counters if counters is not None else Counters()
    kept = plans if plans is not None else Plans()
    # What every plan takes as given, made with the first operation: one shape for responses written by
    # a writer that writes datetimes itself (`for_writer`), one for the rest; both of the one schema.
    shapes: dict[bool, Shape] = {}
    served: list[GraphQLSchema] = []

    def shape(executor: Executor[Any]) -> Shape:
        if not served:
            served.append(executor.schema)
        elif served[0] is not executor.schema:
            raise TypeError("a fastgraph executor class serves one schema; make one per schema")
        written = for_writer is not None and for_writer(executor.context_value)
        found = shapes.get(written)
        if found is None:
            found = shapes[written] = Shape(
                executor.schema,
                dict(plain_fields),
                dict(classes or {}),
                dict(answered or {}),
                {},
                datetimes if written else frozenset(),
                dict(row_reads or {}),
            )
        return found

    class FastExecutor(base):  # type: ignore[valid-type, misc]
        def execute_operation(self, serially: bool | None = None) -> Any:
            if serially or not self._eligible():
                tally.not_eligible += 1
                return super().execute_operation(serially)
            document = kept.document(self.operation, self.fragment_definitions)
            if not document.supported:
                tally.not_eligible += 1
                return super().execute_operation(serially)
            return self._fast(document)

        def _eligible(self) -> bool:
            manager = self.middleware_manager
            return (
                (manager is None or not manager.middlewares)
                and self.abort_signal is None
                and self.hooks is None
                and self.error_propagation
                and self.schema.query_type is not None
                and self.operation.operation.value == "query"
            )

        async def _fast(self, document: Document) -> Any:
            query_type = self.schema.query_type
            assert query_type is not None
            plan, kept_before = kept.plan(
                shape(self), document, self.fragment_definitions, self.variable_values
            )
            run = Run(self, plan)
            try:
                data = await run.root(query_type, self.root_value)
            except Exception:
                tally.fell_back += 1
                result = super().execute_operation()
                return await result if self.is_awaitable(result) else result
            tally.served += 1
            tally.planned += kept_before
            tally.from_rows += run.from_rows
            self._release()
            return ExecutionResult(data=data)

        def _release(self) -> None:
            """graphql-core's executor is a reference cycle (its `async_helpers` hold its own bound
            methods), and it holds the request's context, variables and loaders: once the operation is
            answered (every resolver has returned; nothing reads them after), the cycle is cut so that
            all of it goes with the request instead of piling up for the cyclic collector, whose pauses
            under load were the small query's p99 (a young collection of ~90,000 such objects every
            2 s, 90 to 170 ms each)."""
            del self.async_helpers

    FastExecutor.__name__ = FastExecutor.__qualname__ = f"Fast{base.__name__}"
    return FastExecutor
