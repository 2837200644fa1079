"""The lean HTTP path: a query whose plan is kept, answered without Strawberry's view and extensions.

Strawberry's view and `schema.execute` cost more per request than the small query's resolvers (the
request data, the execution context, the extension runner and its hooks, an executor set-up, the
result's conversions), and all of it decides again what the first request of a document decided.
Here a request that names a document already answered on the fast path goes straight from its body
to graphql-core's `execute` with the schema's own executor class (so fastgraph runs the kept plan),
and its data to bytes.

What it keeps, and how:
- Every HTTP rule before the operation (methods and media types, authentication, CSRF on GET, rate
  limits, the key's use) and after it (the timeout, compression, X-Request-Id, Cache-Control, metrics
  and the log line) is the view's own code: this path only replaces what runs between them
  (`GraphQLView._handle` asks it first).
- Which document a request runs (its text, a trusted document's id, Apollo's persisted query, and
  trusted documents only for people where so configured) is `web/documents.py`, as in the view.
- The document's parse and validation were the first request's, for the same text, operation name and
  validation rules (introspection allowed or not): that is the entry's key. Variables are coerced per
  request, and the operation priced as `schema/request_rules.py` does (the answer kept per entry by
  the values of the variables a price reads, which decide it).
- What the operation records (refusals, a key's scope refusals) is recorded as the extension does.

Anything else goes to the view, unchanged, before anything has run: GET, batches, a stream's Accept,
a body the view would refuse, an unknown or new document, an id the documents do not resolve, a
document to register (Apollo's miss), a mutation or subscription, variables that do not coerce, a
refused price. An operation that ran here and answered with errors or warnings (or whose refusals
could not be recorded) is handed to the view too, on the same context (its resolvers are reads, and
what they record is kept by response path, once: the view's run answers it as it always would, and
records it once).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any, TypeGuard, cast

import orjson
from aiohttp import web
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableValues,
    get_operation_ast,
)
from graphql.execution import Executor
from strawberry.execution.is_awaitable import optimized_is_awaitable

from access.principal import Principal
from db.pool import HeldDatabase, PoolDatabase
from resolvers.refusals import note_scope_refusals, record_refusals
from schema.build import Schema
from schema.frozen_values import frozen
from schema.limits import operation_cost, priced_variables
from schema.request_rules import introspection_allowed, parsed
from settings import Settings
from web import documents
from web.app_keys import DATABASE
from web.authentication import Caller
from web.callers import context_for
from web.json_limits import MAX_JSON_DEPTH, nesting, shallow
from web.kept_executors import KeptExecutors
from web.lean_counters import LEAN
from web.requests import CONTEXT
from web.responses import media_type
from web.trusted_documents import DocumentError, document_id_of

SIZE = 256
# As Strawberry passes it to graphql-core (its test is the same, faster for plain values).
IS_AWAITABLE = cast("Callable[[Any], TypeGuard[Awaitable[Any]]]", optimized_is_awaitable)
PRICES = 64
# Accept values that ask Strawberry for a streamed answer (multipart or server-sent events).
STREAMS = ("multipart/", "text/event-stream")


@dataclass(slots=True)
class Entry:
    """A document's operation as the first request admitted it."""

    document: DocumentNode
    operation: OperationDefinitionNode
    # The operation's name as Strawberry reports it (for the log line and metrics): the name the request
    # gave, else the document's first operation's.
    name: str | None
    # The variables its price reads (schema/limits.priced_variables), and whether it was refused, by
    # their values: the same values, the same price, so it is worked out once (bounded, PRICES).
    priced_by: tuple[str, ...]
    prices: dict[tuple[Any, ...], bool] = field(default_factory=dict)
    # How its executors are built once the first has been (web/kept_executors.py); None: by `build`.
    executors: KeptExecutors | None = None
    built: bool = False

    def refused(self, schema: GraphQLSchema, variables: VariableValues, settings: Settings) -> bool:
        """Whether the operation is over its price (or asks a page out of range) with these variables."""
        coerced = variables.coerced
        try:
            key: tuple[Any, ...] | None = tuple(frozen(coerced.get(name)) for name in self.priced_by)
            found = self.prices.get(key)  # type: ignore[arg-type]
        except TypeError:  # a value that cannot be a key: priced every time
            key, found = None, None
        if found is None:
            found = operation_cost(schema, self.document, self.operation, variables, settings) is not None
            if key is not None and len(self.prices) < PRICES:
                self.prices[key] = found
        return found


# A request's kept entry, with its variables, operation name and extensions.
Found = tuple[Entry, dict[str, Any] | None, str | None, dict[str, Any] | None]
# (the document's text, the operation name as given, whether introspection was allowed in validation)
Key = tuple[str, str | None, bool]


class LeanPath:
    def __init__(self, schema: Schema, settings: Settings, size: int = SIZE) -> None:
        if schema.plans is None:
            raise ValueError("the lean path runs kept plans: it needs the fast executor's schema")
        self.schema = schema
        self.plans = schema.plans
        # Strawberry keeps graphql-core's schema here, and exposes it no other way.
        self.graphql_schema = schema._schema
        self.executor_class = schema.execution_context_class
        self.settings = settings
        self.size = size
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.counters = LEAN

    def __len__(self) -> int:
        return len(self.entries)

    async def admit(self, text: str, operation_name: str | None, principal: Principal) -> None:
        """A query the view has just answered without errors or warnings: later requests of it come
        here while fastgraph keeps its plan. Its text was parsed by that request (a lookup now)."""
        settings = self.settings
        document = await parsed(text, settings.max_tokens)
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return
        if not self.plans.serves(operation):
            return  # graphql-core's (introspection, say): the view costs little beside it
        name = operation_name if operation_name is not None else _first_name(document)
        key = (text, operation_name, introspection_allowed(settings, principal))
        self.entries[key] = Entry(document, operation, name, priced_variables(document))
        self.entries.move_to_end(key)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)

    async def answer(self, request: web.Request, caller: Caller, now: Any) -> web.Response | None:
        """The response, or None for the view to answer the request (as if this path were not here)."""
        found = await self._entry(request, caller)
        if found is None:
            self.counters.passed += 1
            return None
        database = request.app[DATABASE]
        # Its statements share one connection while it runs here (db/pool.HeldDatabase), given back
        # before the response leaves or the view takes the request over.
        held = HeldDatabase(database) if isinstance(database, PoolDatabase) else None
        try:
            return await self._run(request, caller, now, found, held)
        finally:
            if held is not None:
                await held.close()

    async def _run(
        self,
        request: web.Request,
        caller: Caller,
        now: Any,
        found: Found,
        held: HeldDatabase | None,
    ) -> web.Response | None:
        entry, variables, operation_name, extensions = found
        context = request.get(CONTEXT) or context_for(request, caller, now, held)
        request[CONTEXT] = context
        context.operation_name = entry.name
        # What graphql-core's `execute` (as Strawberry calls it) does, in two steps, so that the price
        # is read off the executor's own coerced variables.
        executor = self._executor(entry, context, variables, operation_name, extensions)
        if isinstance(executor, list) or entry.refused(
            self.graphql_schema, executor.variable_values, self.settings
        ):
            # Variables that do not coerce, or a refused price: the view answers them in its words.
            self.counters.passed += 1
            return None
        result = executor.execute_operation()
        if isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        if result.errors or context.warnings:
            self.counters.handed += 1
            return None
        # What RequestRules does once the operation has run (no-ops unless something was refused). The
        # activity row first: should it fail, the view runs the operation again and records both once.
        try:
            await record_refusals(context)
        except Exception:  # the view answers a failure its way
            self.counters.handed += 1
            return None
        note_scope_refusals(context)
        self.counters.served += 1
        return web.Response(
            body=orjson.dumps({"data": result.data}), content_type=media_type(request), charset="utf-8"
        )

    def _executor(
        self,
        entry: Entry,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        extensions: dict[str, Any] | None,
    ) -> Executor[Any] | list[GraphQLError]:
        """The operation's executor: as `build` makes it, without reading the document again once the
        entry's first has been built (web/kept_executors.py)."""
        if entry.executors is not None:
            executor = entry.executors.executor(
                self.executor_class,
                context,
                variables,
                is_awaitable=IS_AWAITABLE,
                operation_extensions=extensions,
            )
            if executor is not None:
                return executor
        built = self.executor_class.build(
            self.graphql_schema,
            entry.document,
            context_value=context,
            raw_variable_values=variables,
            operation_name=operation_name,
            is_awaitable=IS_AWAITABLE,
            # As Strawberry's view passes them: resolvers' infos carry the request's extensions.
            operation_extensions=extensions,
        )
        if not entry.built and not isinstance(built, list):
            entry.built = True
            entry.executors = KeptExecutors.of(built, entry.operation)
        return built

    async def _entry(self, request: web.Request, caller: Caller) -> Found | None:
        """The kept entry the request names, with its variables, operation name and extensions; None
        when there is none (or the request is not one this path takes)."""
        body = await self._body(request)
        if body is None:
            return None
        query, variables, operation_name, extensions, document_id = body
        principal = caller.principal
        try:
            chosen = await documents.document_for(request.app, principal, document_id, query)
        except DocumentError:
            return None
        if chosen.text is None or chosen.registration is not None:
            return None  # a document to register (Apollo's miss) is registered by the view
        key = (chosen.text, operation_name, introspection_allowed(self.settings, principal))
        entry = self.entries.get(key)
        if entry is None:
            return None
        self.entries.move_to_end(key)
        return entry, variables, operation_name, extensions

    def _takes(self, request: web.Request) -> bool:
        """Whether the request is one this path may read: a POST, not asking for a stream, of a size
        the view would read too."""
        if request.method != "POST":
            return False  # GET (its own rules: the CSRF header, queries only) stays the view's
        accept = request.headers.get("Accept", "").lower()  # as Strawberry reads it: any case
        if any(stream in accept for stream in STREAMS):
            return False
        length = request.content_length
        # Too large: the view answers 413; no length (chunked): the view reads it its way.
        return length is not None and length <= self.settings.max_body_bytes

    async def _body(
        self, request: web.Request
    ) -> tuple[str | None, dict[str, Any] | None, str | None, dict[str, Any] | None, Any] | None:
        """The request's query, variables, operation name, extensions and document id, when it is a
        single operation POSTed as JSON that Strawberry's view would take as it is; else None."""
        if not self._takes(request):
            return None
        raw = await request.read()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(body, dict) or (not shallow(raw) and nesting(body) > MAX_JSON_DEPTH):
            return None
        query, variables = body.get("query"), body.get("variables")
        operation_name, extensions = body.get("operationName"), body.get("extensions")
        if not (
            isinstance(query, str | None)
            and isinstance(variables, dict | None)
            and isinstance(operation_name, str | None)
            and isinstance(extensions, dict | None)
        ):
            return None
        # As the view's parse_http_body: the extensions' persisted query, else a documentId.
        document_id = document_id_of({"extensions": extensions})
        if document_id is None and b'"documentId"' in raw:
            document_id = document_id_of(body)
        return query, variables, operation_name, extensions, document_id


def _first_name(document: DocumentNode) -> str | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name else None
    return None
