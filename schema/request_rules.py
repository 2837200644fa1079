"""How one request's document is parsed, validated and priced, with its settings and its caller.

- Parse: with the token cap (MAX_TOKENS); each document text parsed once per process (LRU), and a
  new one parsed in a worker thread, so that a large document never holds the event loop.
- Validate: first the linear limits (schema/limits.py: fragments, cycles, depth, aliases, directives,
  repeated fields); only a document within them goes to graphql-core's rules, introspection off (or
  staff-only) where configured. The answer is cached per document and rule set; a new document is
  validated in a worker thread too.
- Then the operation against its transport (subscriptions over WebSocket, the rest over HTTP), and
  the cost, priced with the request's variables; over the limit, or with a page size out of
  range, nothing runs. It is priced as a validation error (not cached: it depends on the variables),
  so that every transport refuses it the same way before anything runs: over HTTP a 400, and over
  WebSocket the subscribe's `error` message, with no subscription started.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationType,
    get_operation_ast,
    get_variable_values,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from access.principal import Principal
from context import Context
from resolvers.errors import ErrorCode
from resolvers.refusals import note_scope_refusals, record_refusals
from schema.limits import document_limits, operation_cost
from settings import Settings

CACHE_SIZE = 1024
K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A small least-recently-used map (functools' cache cannot hold an async computation's result)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        if len(self.items) > self.size:
            self.items.popitem(last=False)


# Process-wide: the same documents arrive again and again (the page's, partners' syncs).
_DOCUMENTS: Lru[tuple[str, int], DocumentNode] = Lru(CACHE_SIZE)
_VALIDATIONS: Lru[tuple[Settings, str, tuple[type[ASTValidationRule], ...]], list[GraphQLError]] = Lru(
    CACHE_SIZE
)


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


async def parsed(query: str, max_tokens: int) -> DocumentNode:
    """A document, parsed once per process (a new one in a worker thread); GraphQLError when it does not
    parse. HTTP's requests and WebSocket's subscribe messages are parsed here alike."""
    key = (query, max_tokens)
    document = _DOCUMENTS.get(key)
    if document is None:
        document = await asyncio.to_thread(parse_document, query, max_tokens)
        _DOCUMENTS.put(key, document)
    return document


def validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    settings: Settings,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """The document's validation errors: the linear limits first, graphql-core's rules only within them."""
    refused = document_limits(document, settings)
    if refused:
        return refused
    return validate_document(schema, document, rules)


def introspection_allowed(settings: Settings, principal: Principal) -> bool:
    """Whether this caller's documents are validated with introspection allowed: what a document's
    validation depends on besides its text and the settings (web/lean.py keys its entries by it too)."""
    return settings.introspection == "on" or (settings.introspection == "staff" and principal.is_staff)


class RequestRules(SchemaExtension):
    def _context(self) -> Context:
        context = self.execution_context.context
        assert isinstance(context, Context)
        return context

    async def on_parse(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        settings = self._context().settings
        execution_context.parse_options["max_tokens"] = settings.max_tokens
        query = execution_context.query
        if query is not None and execution_context.graphql_document is None:
            # One that does not parse: Strawberry parses it again and reports the syntax error its way.
            with contextlib.suppress(GraphQLError):
                execution_context.graphql_document = await parsed(query, settings.max_tokens)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        document = execution_context.graphql_document
        context = self._context()
        settings = context.settings
        introspection = introspection_allowed(settings, context.principal)
        if document is not None:
            # Strawberry's rules (the specification's), and introspection off where it is not for this caller.
            rules = tuple(execution_context.validation_rules)
            if not introspection:
                rules = (*rules, NoSchemaIntrospectionCustomRule)
            key = (settings, execution_context.query or "", rules)
            errors = _VALIDATIONS.get(key) if execution_context.query else None
            if errors is None:
                schema = execution_context.schema._schema
                errors = await asyncio.to_thread(validate, schema, document, settings, rules)
                if execution_context.query:
                    _VALIDATIONS.put(key, errors)
            if not errors:
                # Priced first: a document is refused for what it is before where it was sent.
                refused = self._priced(settings) or self._transported(context)
                errors = [refused] if refused is not None else []
            execution_context.pre_execution_errors = errors
        yield

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self._context()
        try:
            context.operation_name = self.execution_context.operation_name
        except RuntimeError:
            context.operation_name = None  # no document, or an ambiguous one
        note_scope_refusals(context)
        await record_refusals(context)

    def _transported(self, context: Context) -> GraphQLError | None:
        """Subscriptions over WebSocket, queries and mutations over HTTP: the other is refused."""
        execution_context = self.execution_context
        document = execution_context.graphql_document
        operation = get_operation_ast(document, execution_context.operation_name) if document else None
        if operation is None:
            return None
        over_websocket = context.transport == "websocket"
        if (operation.operation is OperationType.SUBSCRIPTION) == over_websocket:
            return None
        message = (
            "Over WebSocket only subscriptions are served; send queries and mutations over HTTP."
            if over_websocket
            else "Subscriptions are served over WebSocket (graphql-transport-ws) at this same /graphql."
        )
        return GraphQLError(message, operation, extensions={"code": ErrorCode.BAD_REQUEST.value})

    def _priced(self, settings: Settings) -> GraphQLError | None:
        execution_context = self.execution_context
        document = execution_context.graphql_document
        if document is None:
            return None
        operation = get_operation_ast(document, execution_context.operation_name)
        if operation is None:
            return None
        schema = execution_context.schema._schema
        variables = get_variable_values(
            schema, operation.variable_definitions or [], execution_context.variables or {}
        )
        if isinstance(variables, list):
            return None  # the executor reports the variables' errors in its own words
        return operation_cost(schema, document, operation, variables, settings)
