"""A faster path through the executor for objects whose selected fields are all plain attributes.

Partner tooling reads thousands of keys and enablements per request; the standard executor spends
most of its time on per-field machinery (resolve info, awaitability checks, path objects) for fields
that are nothing but an attribute. For an object whose selection is only such fields (leaves, lists
of leaves, or plain objects selected the same way), this builds the response dict directly.

Semantics stay exact: anything else — a field with a resolver or an access rule, a null in a
non-null field, a value that does not serialize, `@defer` — falls back to the standard path, which
then produces the response (and the error) it always would. tests/schema/test_fast_execution.py
compares both paths byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    specified_scalar_types,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# (type name, field name) → the Python attribute holding the value, for plain fields only.
PlainFields = dict[tuple[str, str], str]
Builder = Callable[[Any], dict[str, Any]]


class Fallback(Exception):
    """The fast path cannot answer this object exactly; the standard path will."""


def plain_fields(schema: GraphQLSchema) -> PlainFields:
    """Fields with no resolver, no arguments, no field extensions and no access rule."""
    plain: PlainFields = {}
    for gql_type in schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for name, field in gql_type.fields.items():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (
                definition is not None
                and definition.base_resolver is None
                and not definition.extensions
                and not field.args
                and not getattr(field.resolve, "__name__", "").startswith("guarded_")
            ):
                plain[(gql_type.name, name)] = definition.python_name
    return plain


def execution_context_class(plain: PlainFields) -> type:
    class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Keyed by the field-details list object itself (the executor passes the same one for every
            # item of a list); the entry keeps that object alive, so its id cannot be reused meanwhile.
            self._builders: dict[tuple[str, int], tuple[Any, Builder | None]] = {}

        def complete_object_value(
            self,
            return_type: GraphQLObjectType,
            field_details_list: Any,
            info: Any,
            path: Any,
            result: Any,
            position_context: Any,
        ) -> Any:
            builder = self._builder(return_type, field_details_list)
            if builder is not None:
                is_type_of = return_type.is_type_of
                if is_type_of is None or is_type_of(result, info) is True:
                    try:
                        return builder(result)
                    except Fallback:
                        pass
            return super().complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )

        def _builder(self, object_type: GraphQLObjectType, field_details_list: Any) -> Builder | None:
            key = (object_type.name, id(field_details_list))
            entry = self._builders.get(key)
            if entry is None:
                entry = self._builders[key] = (
                    field_details_list,
                    self._plan(object_type, field_details_list),
                )
            return entry[1]

        def _plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Builder | None:
            grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
            if new_defer_usages or any(d.defer_usage is not None for d in field_details_list):
                return None
            steps: list[tuple[str, Callable[[Any], Any]]] = []
            for response_key, details in grouped.items():
                field_name = details[0].node.name.value
                if field_name == "__typename":
                    steps.append((response_key, _constant(object_type.name)))
                    continue
                attribute = plain.get((object_type.name, field_name))
                if attribute is None:
                    return None
                complete = self._value(object_type.fields[field_name].type, details)
                if complete is None:
                    return None
                steps.append((response_key, _read(attribute, complete)))

            def build(source: Any) -> dict[str, Any]:
                return {key: step(source) for key, step in steps}

            return build

        def _value(self, field_type: Any, details: Any) -> Callable[[Any], Any] | None:
            """How to complete a value of `field_type`, or None if only the standard path can."""
            non_null = isinstance(field_type, GraphQLNonNull)
            inner = field_type.of_type if non_null else field_type
            if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                complete = _leaf(inner)
            elif isinstance(inner, GraphQLList):
                item = self._value(inner.of_type, details)
                if item is None:
                    return None
                complete = _list(item)
            elif isinstance(inner, GraphQLObjectType):
                nested = self._builder(inner, details)
                if nested is None:
                    return None
                complete = _typed(inner, nested)
            else:
                return None  # interfaces, unions, objects that must be type-checked
            return _not_null(complete) if non_null else _nullable(complete)

    return FastExecutionContext


def _constant(value: str) -> Callable[[Any], Any]:
    return lambda _source: value


def _read(attribute: str, complete: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda source: complete(getattr(source, attribute))


# The built-in scalars return these Python types unchanged; anything else goes through coercion.
_PASS_THROUGH: dict[str, tuple[type, ...]] = {
    "String": (str,),
    "ID": (str,),
    "Boolean": (bool,),
    "Float": (float,),
}
_INT_RANGE = range(-(2**31), 2**31)


def _leaf(leaf_type: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    coerce = _generic_leaf(leaf_type)
    passes = _PASS_THROUGH.get(leaf_type.name) if leaf_type is specified_scalar(leaf_type.name) else None
    if passes is not None:
        return lambda value: value if type(value) in passes else coerce(value)
    if leaf_type.name == "Int" and leaf_type is specified_scalar("Int"):
        return lambda value: value if type(value) is int and value in _INT_RANGE else coerce(value)
    if isinstance(leaf_type, GraphQLEnumType):
        # Strawberry's enums coerce a member to the name whose value matches: the same, precomputed.
        names = {value.value: name for name, value in leaf_type.values.items()}
        enum_class = getattr(leaf_type, "wrapped_cls", ())

        def enum(value: Any) -> Any:
            name = names.get(value.value) if isinstance(value, enum_class) else None
            return name if name is not None else coerce(value)

        return enum
    return coerce


def specified_scalar(name: str) -> GraphQLScalarType | None:
    return specified_scalar_types.get(name)


def _generic_leaf(leaf_type: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    coerce = leaf_type.coerce_output_value

    def complete(value: Any) -> Any:
        try:
            coerced = coerce(value)
        except Exception:
            raise Fallback from None
        if coerced is Undefined or coerced is None:
            raise Fallback
        return coerced

    return complete


def _typed(object_type: GraphQLObjectType, build: Builder) -> Callable[[Any], Any]:
    """A nested object, checked to be of its type the way is_type_of would, without resolve info."""
    definition = object_type.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)

    def complete(value: Any) -> Any:
        if origin is None or type(value) is not origin:
            raise Fallback
        return build(value)

    return complete


def _list(item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def complete(values: Any) -> Any:
        if not isinstance(values, list | tuple):
            raise Fallback
        return [item(value) for value in values]

    return complete


def _not_null(complete: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        if value is None:
            raise Fallback  # the standard path reports the null with its path
        return complete(value)

    return checked


def _nullable(complete: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else complete(value)
