"""A faster path through the executor for objects whose selected fields are all plain values.

Partner tooling reads thousands of keys and enablements per request; the standard executor spends
most of its time on per-field machinery (resolve info, awaitability checks, path objects) for fields
that are nothing but a value. For an object whose selection is only such fields (leaves, lists of
leaves, or plain objects selected the same way), this builds the response dict directly, with a
function compiled once per (type, selection) and request: the steps a field needs are written out as
Python source, so a key costs one call, not a chain of closures per field.

A field is plain when it has no arguments, no field extensions, no access rule and either no resolver
(an attribute) or a synchronous resolver taking only `self` (a value computed from the object, such
as a key's status). Such resolvers must be pure: when the fast path cannot answer, the standard path
runs them again.

Semantics stay exact: anything else — a field with another kind of resolver, a null in a non-null
field, a value that does not serialize, an exception in a resolver, `@defer`, schema extensions that
wrap resolvers — falls back to the standard path, which then produces the response (and the error) it
always would. tests/schema/test_fast_execution.py compares both paths byte for byte.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from types import CodeType
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    specified_scalar_types,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments

from schema.batched_fields import BatchResolver, batch_of

if TYPE_CHECKING:
    import strawberry
    from strawberry.types.field import StrawberryField

    from schema.enforcement import AccessRule

# (type name, field name) → how to read the value: an attribute name, or a resolver taking `self`.
PlainFields = dict[tuple[str, str], str | Callable[[Any], Any]]
Builder = Callable[[Any], dict[str, Any]]
Complete = Callable[[Any], Any]


class Fallback(Exception):
    """The fast path cannot answer this object exactly; the standard path will."""


def plain_fields(schema: GraphQLSchema) -> PlainFields:
    """Fields read as an attribute or through a resolver of `self` alone, with no access rule."""
    plain: PlainFields = {}
    for gql_type in schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for name, field in gql_type.fields.items():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (
                definition is None
                or definition.extensions
                or field.args
                or getattr(field.resolve, "__name__", "").startswith("guarded_")
            ):
                continue
            resolver = definition.base_resolver
            if resolver is None:
                plain[(gql_type.name, name)] = definition.python_name
            elif _of_self_alone(resolver):
                plain[(gql_type.name, name)] = resolver.wrapped_func
    return plain


def _of_self_alone(resolver: Any) -> bool:
    """A synchronous method of the object with no other parameter: what Strawberry calls as f(source)."""
    return (
        inspect.isfunction(resolver.wrapped_func)
        and not resolver.is_async
        and resolver.self_parameter is not None
        and resolver.info_parameter is None
        and resolver.root_parameter is None
        and resolver.parent_parameter is None
        and not resolver.arguments
        and len(inspect.signature(resolver.wrapped_func).parameters) == 1
    )


@dataclass(frozen=True, slots=True)
class BatchedField:
    """A field answered for a whole list of its objects at once (schema/batched_fields.py)."""

    definition: StrawberryField
    batch: BatchResolver
    rule: AccessRule | None  # the field's access mark, checked once per list
    schema: strawberry.Schema

    def info(self, raw_info: Any) -> Any:
        return self.schema.config.info_class(_raw_info=raw_info, _field=self.definition)

    def arguments(self, raw: dict[str, Any], info: Any) -> dict[str, Any]:
        """The resolver's keyword arguments, converted as Strawberry converts them for the resolver."""
        converted: dict[str, Any] = convert_arguments(
            raw,
            self.definition.arguments,
            scalar_registry=self.schema.schema_converter.scalar_registry,
            config=self.schema.config,
            info=info,
        )
        return converted


BatchedFields = dict[tuple[str, str], BatchedField]


def batched_fields(schema: strawberry.Schema, rules: Mapping[str, AccessRule]) -> BatchedFields:
    """Fields whose resolver is marked `@batched` and that no field extension wraps."""
    found: BatchedFields = {}
    for gql_type in schema._schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for name, field in gql_type.fields.items():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            resolver = getattr(definition, "base_resolver", None)
            if definition is None or definition.extensions or resolver is None or not resolver.is_async:
                continue
            batch = batch_of(resolver.wrapped_func)
            if batch is not None:
                rule = rules.get(f"{gql_type.name}.{name}")
                found[(gql_type.name, name)] = BatchedField(
                    definition, batch, None if rule is None or rule.is_open else rule, schema
                )
    return found


@dataclass(frozen=True, slots=True)
class _SiblingField:
    response_key: str
    field_def: GraphQLField
    details: Any  # the executor's field details list
    batched: BatchedField


@dataclass(frozen=True, slots=True)
class _Siblings:
    """How to answer a list of objects some of whose fields are batched."""

    object_type: GraphQLObjectType
    origin: type | None  # where the type has is_type_of, each item must be exactly this class
    build: Builder  # an item's plain fields, with None where a batched field's answer goes
    fields: list[_SiblingField]


def execution_context_class(plain: PlainFields, batched: BatchedFields | None = None) -> type:
    batches: BatchedFields = batched or {}

    class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Plans made once per execution, field and type (see _planned).
            self._builders: dict[tuple[str, int], tuple[Any, Builder | None]] = {}
            self._lists: dict[tuple[str, int], tuple[Any, Complete | None]] = {}
            self._sibling_plans: dict[tuple[str, int], tuple[Any, _Siblings | None]] = {}
            manager = self.middleware_manager
            # Schema extensions that wrap every resolver (tracing) must see every field: no fast path.
            self._fast = manager is None or not manager.middlewares

        def complete_object_value(
            self,
            return_type: GraphQLObjectType,
            field_details_list: Any,
            info: Any,
            path: Any,
            result: Any,
            position_context: Any,
        ) -> Any:
            builder = self._builder(return_type, field_details_list) if self._fast else None
            if builder is not None:
                is_type_of = return_type.is_type_of
                if is_type_of is None or is_type_of(result, info) is True:
                    try:
                        return builder(result)
                    except Exception:  # noqa: S110 - the standard path reports it exactly
                        pass
            return super().complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )

        def complete_list_value(
            self,
            return_type: GraphQLList[Any],
            field_details_list: Any,
            info: Any,
            path: Any,
            result: Any,
            position_context: Any,
        ) -> Any:
            # A list a resolver returned (a carrier's enablements): its items, when plain, are built
            # here at once rather than one by one through the standard path.
            complete = self._list_builder(return_type, field_details_list) if self._fast else None
            if complete is not None and type(result) is list:
                try:
                    return complete(result)
                except Exception:  # noqa: S110 - the standard path reports it exactly
                    pass
            # A list of objects with batched fields (a page of carriers and their keys): each such
            # field is resolved once for the whole list.
            siblings = self._siblings(return_type, field_details_list) if complete is None else None
            if siblings is not None and type(result) is list and result:
                return self._complete_siblings(
                    siblings, return_type, field_details_list, info, path, result, position_context
                )
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )

        def _siblings(self, list_type: GraphQLList[Any], field_details_list: Any) -> _Siblings | None:
            if not self._fast or not batches:
                return None
            return _planned(
                self._sibling_plans,
                f"[{list_type.of_type}]",
                field_details_list,
                lambda: self._plan_siblings(list_type, field_details_list),
            )

        def _plan_siblings(self, list_type: GraphQLList[Any], field_details_list: Any) -> _Siblings | None:
            item_type = list_type.of_type
            object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
            if (
                not isinstance(object_type, GraphQLObjectType)
                or self.abort_signal is not None
                or any(details.node.directives for details in field_details_list)  # @stream
            ):
                return None
            definition = object_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            origin = getattr(definition, "origin", None)
            if object_type.is_type_of is not None and origin is None:
                return None
            source = _Source()
            fields = self._write_fields(source, object_type, field_details_list, batch=True)
            if not fields:
                return None  # nothing batched: the plain path's, or the standard path's
            checked = origin if object_type.is_type_of is not None else None
            return _Siblings(object_type, checked, source.compile(object_type.name), fields)

        def _write_fields(
            self, source: _Source, object_type: GraphQLObjectType, field_details_list: Any, *, batch: bool
        ) -> list[_SiblingField] | None:
            """Write the object's plain fields into `source` and, with `batch`, return its batched
            fields in order (their answers' places hold None). None if a field is neither, or under
            @defer: the standard path's."""
            grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
            if new_defer_usages or any(d.defer_usage is not None for d in field_details_list):
                return None
            principal = getattr(self.context_value, "principal", None)
            fields: list[_SiblingField] = []
            for response_key, details in grouped.items():
                field_name = details[0].node.name.value
                if field_name == "__typename":
                    source.constant(response_key, object_type.name)
                    continue
                field = object_type.fields[field_name]
                access = plain.get((object_type.name, field_name))
                if access is not None:
                    value = source.read(access)
                    if not self._complete(source, value, field.type, details):
                        return None
                    source.answer(response_key, value)
                    continue
                batched_field = batches.get((object_type.name, field_name)) if batch else None
                rule = batched_field.rule if batched_field else None
                if batched_field is None or principal is None or (rule and not rule.admits(principal)):
                    return None  # a refusal is the standard path's, with its error and warning
                source.answer(response_key, "None")
                fields.append(_SiblingField(response_key, field, details, batched_field))
            return fields

        async def _complete_siblings(
            self,
            plan: _Siblings,
            list_type: GraphQLList[Any],
            field_details_list: Any,
            info: Any,
            path: Any,
            items: list[Any],
            position_context: Any,
        ) -> Any:
            try:
                objects = self._build_items(plan, items)
                answers = await self._resolve_batches(plan, items, path)
            except Exception:
                # A resolver's error, a null item, a wrong type: the standard path answers the list
                # item by item, exactly as it always would (its resolvers read what the loaders hold).
                completed = super().complete_list_value(
                    list_type, field_details_list, info, path, items, position_context
                )
                return await completed if self.is_awaitable(completed) else completed
            return await self._complete_items(
                plan, list_type.of_type, field_details_list, path, objects, answers, position_context
            )

        def _build_items(self, plan: _Siblings, items: list[Any]) -> list[dict[str, Any]]:
            origin = plan.origin
            if any(item is None or (origin is not None and type(item) is not origin) for item in items):
                raise Fallback
            build = plan.build
            return [build(item) for item in items]

        async def _resolve_batches(
            self, plan: _Siblings, items: list[Any], path: Any
        ) -> list[list[tuple[int, list[Any], Any]]]:
            """Each batched field's answers (field index, answers, resolve info), grouped as the
            standard path's resolvers would see their data: first the fields whose batch answered at
            once (each item's such fields complete together there), then one field at a time in the
            order their batches finished (a loader answers every item of its field at once)."""
            loop = asyncio.get_running_loop()
            turns = [0]  # event-loop turns since the batches started

            def turn() -> None:
                turns[0] += 1

            at_once: list[tuple[int, list[Any], Any]] = []
            later: list[list[tuple[int, list[Any], Any]]] = []

            async def resolve(index: int, field: _SiblingField) -> None:
                started = turns[0]
                loop.call_soon(turn)
                answers, info = await self._resolve_batch(plan.object_type, field, items, path)
                if turns[0] == started:
                    at_once.append((index, answers, info))
                else:
                    later.append([(index, answers, info)])

            calls = [resolve(index, field) for index, field in enumerate(plan.fields)]
            if len(calls) == 1:
                await calls[0]
            else:
                # Together, so that every batch's loads are queued before the loaders dispatch; one
                # failing cancels the others, as the standard executor cancels an object's other fields.
                await gather_with_cancel(*calls)
            return ([sorted(at_once, key=lambda answer: answer[0])] if at_once else []) + later

        async def _resolve_batch(
            self, parent_type: GraphQLObjectType, field: _SiblingField, items: list[Any], path: Any
        ) -> tuple[list[Any], Any]:
            """Every item's answer for one field, and the resolve info its completion is given."""
            first = field.details[0]
            nodes = [details.node for details in field.details]
            # The first item's: completion reads the field's name, type and nodes from it, not its path.
            field_path = path.add_key(0, None).add_key(field.response_key, parent_type.name)
            raw_info = self.build_resolve_info(field.field_def, nodes, parent_type, field_path)
            raw_arguments = (
                get_argument_values(
                    field.field_def,
                    first.node,
                    self.variable_values,
                    first.fragment_variable_values,
                    self.hide_suggestions,
                )
                if field.field_def.args or first.node.arguments
                else {}
            )
            info = field.batched.info(raw_info)
            answers = await field.batched.batch(items, info, **field.batched.arguments(raw_arguments, info))
            if type(answers) is not list or len(answers) != len(items):
                raise Fallback
            return answers, raw_info

        async def _complete_items(
            self,
            plan: _Siblings,
            item_type: Any,
            field_details_list: Any,
            path: Any,
            objects: list[dict[str, Any]],
            answers: list[list[tuple[int, list[Any], Any]]],
            position_context: Any,
        ) -> list[Any]:
            """Complete the batched answers as the standard path completes its resolvers' results, and
            in its order (see _resolve_batches): a group's fields for every item, then the nulls of the
            items whose non-null field failed; a nullable field's error nulls the field alone."""
            completed: list[Any] = list(objects)
            waiting: list[tuple[int, str, Any]] = []  # awaitables, in the order they started
            type_name = plan.object_type.name
            for group in answers:
                failed: list[tuple[int, Exception]] = []
                for index, item in enumerate(completed):
                    if item is None:
                        continue  # nulled by an earlier group's error: the standard path stops there
                    item_path = path.add_key(index, None)
                    for field_index, field_answers, info in group:
                        field = plan.fields[field_index]
                        field_path = item_path.add_key(field.response_key, type_name)
                        try:
                            value = self._complete_field(
                                field, info, field_path, field_answers[index], position_context
                            )
                        except Exception as error:
                            failed.append((index, error))
                            continue
                        item[field.response_key] = value
                        if self.is_awaitable(value):
                            waiting.append((index, field.response_key, value))
                waiting = self._null_items(failed, completed, waiting, item_type, field_details_list, path)
            if waiting:
                await self._await_items(completed, waiting, item_type, field_details_list, path)
            return completed

        def _null_items(
            self,
            failed: list[tuple[int, Exception]],
            completed: list[Any],
            waiting: list[tuple[int, str, Any]],
            item_type: Any,
            field_details_list: Any,
            path: Any,
        ) -> list[tuple[int, str, Any]]:
            """Null each item whose non-null field failed (or, for a non-null item, fail the list), and
            settle what those items were still waiting for. Returns what the others still wait for."""
            if not failed:
                return waiting
            first: dict[int, Exception] = {}  # an item is nulled by its first failed field
            for index, error in failed:
                first.setdefault(index, error)
            nulled = set(first)
            dropped = [value for index, _, value in waiting if index in nulled]
            waiting = [entry for entry in waiting if entry[0] not in nulled]
            if dropped:
                self.settle_in_background(dropped)
            try:
                for index, error in first.items():
                    completed[index] = None
                    self.handle_field_error(error, item_type, field_details_list, path.add_key(index, None))
            except Exception:
                if waiting:
                    self.settle_in_background([value for _, _, value in waiting])
                raise
            return waiting

        async def _await_items(
            self,
            completed: list[Any],
            waiting: list[tuple[int, str, Any]],
            item_type: Any,
            field_details_list: Any,
            path: Any,
        ) -> None:
            """Await the items' pending fields together, in the order the standard path starts them; a
            non-null field's error nulls its item, as the item's own await would."""
            failures: list[tuple[int, Exception]] = []

            async def settle(index: int, value: Any) -> Any:
                try:
                    return await value
                except Exception as error:
                    failures.append((index, error))
                    return None

            values = await gather_with_cancel(*(settle(index, value) for index, _, value in waiting))
            for (index, response_key, _), value in zip(waiting, values, strict=True):
                item = completed[index]
                if item is not None:
                    item[response_key] = value
            seen: set[int] = set()
            for index, error in failures:
                if index not in seen:
                    seen.add(index)
                    completed[index] = None
                    self.handle_field_error(error, item_type, field_details_list, path.add_key(index, None))

        def _complete_field(
            self, field: _SiblingField, info: Any, path: Any, result: Any, position_context: Any
        ) -> Any:
            """What the standard executor does with a resolver's result (execute_field)."""
            return_type = field.field_def.type
            try:
                completed = self.complete_value(
                    return_type, field.details, info, path, result, position_context
                )
            except Exception as raw_error:
                self.handle_field_error(raw_error, return_type, field.details, path)
                return None
            if self.is_awaitable(completed):
                return self._await_field(completed, return_type, field.details, path)
            return completed

        async def _await_field(self, completed: Any, return_type: Any, details: Any, path: Any) -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, return_type, details, path)
                return None

        def _list_builder(self, list_type: GraphQLList[Any], field_details_list: Any) -> Complete | None:
            def plan() -> Complete | None:
                # A directive on the list field itself (@stream) is the standard path's to honour.
                if any(details.node.directives for details in field_details_list):
                    return None
                item = self._list_item(list_type.of_type, field_details_list)
                return _list(item) if item is not None else None

            return _planned(self._lists, f"[{list_type.of_type}]", field_details_list, plan)

        def _builder(self, object_type: GraphQLObjectType, field_details_list: Any) -> Builder | None:
            return _planned(
                self._builders,
                object_type.name,
                field_details_list,
                lambda: self._plan(object_type, field_details_list),
            )

        def _plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Builder | None:
            source = _Source()
            if self._write_fields(source, object_type, field_details_list, batch=False) is None:
                return None
            return source.compile(object_type.name)

        def _complete(self, source: _Source, value: str, field_type: Any, details: Any) -> bool:
            """Write how `value` is completed as `field_type`; False if only the standard path can."""
            non_null = isinstance(field_type, GraphQLNonNull)
            inner = field_type.of_type if non_null else field_type
            if isinstance(inner, GraphQLList):
                item = self._item_expression(source, inner.of_type, details)
                if item is None:
                    return False
                source.list_of(value, item, non_null)
                return True
            expression = self._expression(source, value, inner, details)
            if expression is None:
                return False
            source.complete(value, expression, non_null)
            return True

        def _expression(self, source: _Source, value: str, inner: Any, details: Any) -> str | None:
            """A Python expression completing a non-null `value` of a named type, or None."""
            if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                return source.leaf(value, inner)
            if isinstance(inner, GraphQLObjectType):
                nested = self._builder(inner, details)
                return source.object(value, inner, nested) if nested is not None else None
            return None  # interfaces, unions: the standard path resolves the type

        def _item_expression(self, source: _Source, item_type: Any, details: Any) -> str | None:
            """An expression completing one list item `x`; lists of lists take the closures below."""
            non_null = isinstance(item_type, GraphQLNonNull)
            inner = item_type.of_type if non_null else item_type
            if isinstance(inner, GraphQLList):
                complete = self._list_item(item_type, details)
                return f"{source.name(complete)}(x)" if complete is not None else None
            expression = self._expression(source, "x", inner, details)
            if expression is None or non_null:
                return expression  # a None item fails the expression's type test: Fallback
            return f"None if x is None else ({expression})"

        def _list_item(self, item_type: Any, details: Any) -> Complete | None:
            """How to complete one item of a list, as a function (lists are rarer than leaves)."""
            non_null = isinstance(item_type, GraphQLNonNull)
            inner = item_type.of_type if non_null else item_type
            complete: Complete | None
            if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                complete = _leaf(inner)
            elif isinstance(inner, GraphQLList):
                item = self._list_item(inner.of_type, details)
                complete = _list(item) if item is not None else None
            elif isinstance(inner, GraphQLObjectType):
                nested = self._builder(inner, details)
                complete = _typed(inner, nested) if nested is not None else None
            else:
                complete = None
            if complete is None:
                return None
            return _not_null(complete) if non_null else _nullable(complete)

    return FastExecutionContext


Plan = TypeVar("Plan")


def _planned(
    cache: dict[tuple[str, int], tuple[Any, Plan | None]],
    name: str,
    field_details_list: Any,
    plan: Callable[[], Plan | None],
) -> Plan | None:
    """`plan()`, made once per execution and (type, field). Keyed by the field-details list object
    itself (the executor passes the same one for every item of a list); the entry keeps that object
    alive, so its id cannot be reused meanwhile."""
    key = (name, id(field_details_list))
    entry = cache.get(key)
    if entry is None:
        entry = cache[key] = (field_details_list, plan())
    return entry[1]


class _Source:
    """The Python source of one builder: a line per step, the functions it calls in a namespace."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.entries: list[str] = []
        self.namespace: dict[str, Any] = {"Fallback": Fallback, "fail": _fail}

    def name(self, value: Any) -> str:
        name = f"n{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def constant(self, response_key: str, value: str) -> None:
        self.entries.append(f"{response_key!r}: {self.name(value)}")

    def read(self, access: str | Callable[[Any], Any]) -> str:
        value = f"v{len(self.entries)}"
        if isinstance(access, str):
            self.lines.append(f"{value} = source.{access}")
        else:
            self.lines.append(f"{value} = {self.name(access)}(source)")
        return value

    def answer(self, response_key: str, value: str) -> None:
        self.entries.append(f"{response_key!r}: {value}")

    def leaf(self, value: str, leaf_type: GraphQLScalarType | GraphQLEnumType) -> str:
        """Built-in scalars pass their own Python type through; dates call isoformat; enums map members
        to names by identity; anything else (and any surprise) goes through the type's coercion."""
        coerce = self.name(_generic_leaf(leaf_type))
        passes = _PASS_THROUGH.get(leaf_type.name) if _is_specified(leaf_type) else None
        iso = _ISOFORMAT.get(leaf_type.name) if _serializes_isoformat(leaf_type) else None
        names = _member_names(leaf_type) if isinstance(leaf_type, GraphQLEnumType) else None
        if passes is not None:
            return f"{value} if type({value}) is {self.name(passes)} else {coerce}({value})"
        if iso is datetime:
            # What isoformat() writes for a datetime in UTC (asyncpg's timestamps all are), three times
            # faster: orjson writes microseconds only when there are any, and "+00:00".
            fast = f"{self.name(orjson.dumps)}({value})[1:-1].decode()"
            slow = f"{value}.isoformat()"
            return (
                f"({fast} if {value}.tzinfo is {self.name(UTC)} else {slow}) "
                f"if type({value}) is {self.name(datetime)} else {coerce}({value})"
            )
        if iso is not None:
            return f"{value}.isoformat() if type({value}) is {self.name(iso)} else {coerce}({value})"
        if names:
            return f"{self.name(names)}.get(id({value})) or {coerce}({value})"
        return f"{coerce}({value})"

    def object(self, value: str, object_type: GraphQLObjectType, build: Builder) -> str | None:
        """A nested object. The standard path checks its runtime type only where the type has an
        is_type_of (types with interfaces); there, only an instance of exactly the type goes this way."""
        if object_type.is_type_of is None:
            return f"{self.name(build)}({value}) if {value} is not None else fail({value})"
        definition = object_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        origin = getattr(definition, "origin", None)
        if origin is None:
            return None
        return f"{self.name(build)}({value}) if type({value}) is {self.name(origin)} else fail({value})"

    def complete(self, value: str, expression: str, non_null: bool) -> None:
        if non_null:
            self.lines.append(f"if {value} is None: raise Fallback")
            self.lines.append(f"{value} = {expression}")
        else:
            self.lines.append(f"if {value} is not None: {value} = {expression}")

    def list_of(self, value: str, item: str, non_null: bool) -> None:
        # Only a list goes this way (the standard path also takes other iterables, and answers for them).
        if non_null:
            self.lines.append(f"if type({value}) is not list: raise Fallback")
            self.lines.append(f"{value} = [{item} for x in {value}]")
        else:
            self.lines.append(f"if {value} is not None:")
            self.lines.append(f"    if type({value}) is not list: raise Fallback")
            self.lines.append(f"    {value} = [{item} for x in {value}]")

    def compile(self, type_name: str) -> Builder:
        body = "".join(f"    {line}\n" for line in self.lines)
        source = f"def build(source):\n{body}    return {{{', '.join(self.entries)}}}\n"
        exec(_compiled(source, type_name), self.namespace)  # noqa: S102
        build: Builder = self.namespace["build"]
        return build


@functools.lru_cache(maxsize=1024)
def _compiled(source: str, type_name: str) -> CodeType:
    """Compiling costs more than building a page of keys: the same selection compiles once per process
    (the names in the source are positional, so a selection always writes the same text)."""
    return compile(source, f"<fast path for {type_name}>", "exec")


# The built-in scalars return these Python types unchanged; anything else goes through coercion.
_PASS_THROUGH: dict[str, type] = {"String": str, "ID": str, "Boolean": bool, "Float": float}
_INT_RANGE = range(-(2**31), 2**31)


# Strawberry's date and time scalars serialize with `methodcaller("isoformat")`: the same call, inline.
_ISOFORMAT: dict[str, type] = {"DateTime": datetime, "Date": date, "Time": time}


def _serializes_isoformat(leaf_type: GraphQLScalarType | GraphQLEnumType) -> bool:
    return repr(leaf_type.coerce_output_value) == "operator.methodcaller('isoformat')"


def _is_specified(leaf_type: GraphQLScalarType | GraphQLEnumType) -> bool:
    return leaf_type is specified_scalar_types.get(leaf_type.name)


def _member_names(enum_type: GraphQLEnumType) -> dict[int, str]:
    """Strawberry's enums serialize a member as the name whose value matches it: by member identity."""
    enum_class = getattr(enum_type, "wrapped_cls", None)
    if enum_class is None:
        return {}
    names = {value.value: name for name, value in enum_type.values.items()}
    return {id(member): names[member.value] for member in enum_class if member.value in names}


def _leaf(leaf_type: GraphQLScalarType | GraphQLEnumType) -> Complete:
    coerce = _generic_leaf(leaf_type)
    passes = _PASS_THROUGH.get(leaf_type.name) if _is_specified(leaf_type) else None
    if passes is not None:
        return lambda value: value if type(value) is passes else coerce(value)
    if leaf_type.name == "Int" and _is_specified(leaf_type):
        return lambda value: value if type(value) is int and value in _INT_RANGE else coerce(value)
    if isinstance(leaf_type, GraphQLEnumType):
        names = _member_names(leaf_type)

        def enum(value: Any) -> Any:
            name = names.get(id(value))
            return name if name is not None else coerce(value)

        return enum
    return coerce


def _generic_leaf(leaf_type: GraphQLScalarType | GraphQLEnumType) -> Complete:
    coerce = leaf_type.coerce_output_value

    def complete(value: Any) -> Any:
        if type(value) is int and leaf_type is specified_scalar_types["Int"] and value in _INT_RANGE:
            return value
        try:
            coerced = coerce(value)
        except Exception:
            raise Fallback from None
        if coerced is Undefined or coerced is None:
            raise Fallback
        return coerced

    return complete


def _fail(_value: Any) -> Any:
    raise Fallback


def _typed(object_type: GraphQLObjectType, build: Builder) -> Complete:
    """A nested object, type-checked as `_Source.object` does."""
    definition = object_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    checked = object_type.is_type_of is not None

    def complete(value: Any) -> Any:
        if value is None or (checked and (origin is None or type(value) is not origin)):
            raise Fallback
        return build(value)

    return complete


def _list(item: Complete) -> Complete:
    def complete(values: Any) -> Any:
        if not isinstance(values, list | tuple):
            raise Fallback
        return [item(value) for value in values]

    return complete


def _not_null(complete: Complete) -> Complete:
    def checked(value: Any) -> Any:
        if value is None:
            raise Fallback  # the standard path reports the null with its path
        return complete(value)

    return checked


def _nullable(complete: Complete) -> Complete:
    return lambda value: None if value is None else complete(value)
