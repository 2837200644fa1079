"""fastgraph: answer GraphQL queries over plain objects without graphql-core's per-field machinery.

A nested query of an admin API reads thousands of plain values: a key's hint, an enablement's state.
graphql-core spends a few microseconds on each (resolve info, path, awaitability, completion), and a
resolver wrapper as many again; the values themselves cost nothing. This package executes a query
operation itself: a field listed as *plain* is read straight off its object (an attribute, or a pure
function of the object), every other field through its resolver exactly as graphql-core calls it, and
the resolvers of one level run together (so dataloaders batch them as before). Nothing here knows the
domain: the caller says which fields are plain.

It answers only the happy path, and only for what it understands: a query, without middleware, abort
signal, @defer/@stream, fragment arguments or introspection. Anything else, and any surprise on the
way (a resolver's error, a null in a non-null field, a value that does not serialize, an unexpected
type), goes to graphql-core's own executor, which runs the operation from the start and answers it as
it always would, errors and all. Resolvers may therefore run twice for such an operation: they must be
reads, and whatever they record must be idempotent per response path.

The surface:

    executor_class(base, plain_fields, classes, counters, answered, plans=, datetimes=, for_writer=,
        row_reads=) -> a subclass of `base` (a graphql-core Executor) to pass as the executor class
        (Strawberry: `execution_context_class`). `datetimes` names the scalars whose output is a datetime's
        `isoformat()`; where `for_writer(context)` says the response is written by orjson (which writes a
        UTC datetime exactly so), plain fields of those scalars leave their datetimes to it.
        `row_reads` ({(type name, field name): RowRead}) says how fields of views of rows read the row:
        a list given as `RowViews` (fastgraph/rows.py) whose selection reads only such fields is built
        from its rows, and no view is made.
    Plans: where the class keeps what it builds per document (bounded; fastgraph/plans.py), so that a
        document's builders are made by its first request and run by every later one.
    PlainFields: {(type name, field name): attribute name | function of the object}
    Classes: {type name: the class whose instances are exactly of that type}, for object types whose
        is_type_of is an instance test (Strawberry's are): such an object skips the call.
    Answered: {type name: attribute} for object types whose objects may carry answers for some of their
        fields, by response key (`{"apiKeys": <the value its resolver would return>}`), put there by the
        resolver that made them (a list that loaded what each item's fields need in one go). Such an
        answer is completed as the resolver's value, and the resolver is not called: whoever puts it
        there stands for the resolver, its access checks included.
    Counters: how many operations were served here (and of those, from a kept plan), were not
        eligible, or fell back.

It overrides one public method, `Executor.execute_operation`, and calls `build_resolve_info` (the
seam through which Strawberry gives resolvers its own info) for fields that have resolvers. Once it has
answered an operation it deletes the executor's `async_helpers` (a public attribute holding the
executor's own bound methods): graphql-core's executor is otherwise a reference cycle that keeps the
request's context for the cyclic collector.
"""

from fastgraph.executor import Answered, Classes, Counters, PlainFields, executor_class
from fastgraph.plans import Plans
from fastgraph.rows import RowRead, RowView, RowViews

__all__ = [
    "Answered",
    "Classes",
    "Counters",
    "PlainFields",
    "Plans",
    "RowRead",
    "RowView",
    "RowViews",
    "executor_class",
]
