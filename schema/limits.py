"""Limits on what one document may ask for, in time linear in the document's size.

Two passes, both before any resolver runs:

- `document_limits` (before validation, once per document text): operations, fragment definitions and spreads
  counted as written; cycles refused; depth, aliases, directives per field and repeated response
  names measured with every fragment measured once (memoised) and reused wherever it is spread. So a
  fragment that spreads the next one twice, twenty levels down, costs twenty measurements, not 2^20,
  and its 2^20 aliases are refused as such. Only documents within these limits reach graphql-core's
  rules, whose cost depends on exactly these quantities (overlapping fields compares the fields that
  share a response name pairwise).
- `operation_cost` (before execution, once the variables are known): each field costs 1, multiplied
  down the tree by its list's size: a connection's `first`/`last` as given (a literal or a variable's
  coerced value), the default page size when absent; `nodes(ids:)` by its length; other lists by
  LIST_COST_ESTIMATE. A page size outside 0..MAX_PAGE_SIZE refuses the whole operation: nothing runs.
  Introspection is not counted (its size is bounded by the schema).

Each refusal names its limit and setting in `extensions` (`QUERY_TOO_COMPLEX`, or `BAD_USER_INPUT`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    VariableValues,
    get_argument_values,
    get_named_type,
    get_nullable_type,
)

from resolvers.pages import page_size_refusal
from settings import Settings

PAGE_ARGUMENTS = ("first", "last")
# The arguments whose values a price reads (page sizes, and the length of a list of ids): nothing else.
PRICED_ARGUMENTS = frozenset({*PAGE_ARGUMENTS, "ids"})


def too_complex(message: str, node: Any, setting: str, maximum: int, actual: int) -> GraphQLError:
    return GraphQLError(
        f"{message}; the limit is {maximum} ({setting}). Ask for less, or page through it.",
        node,
        extensions={"code": "QUERY_TOO_COMPLEX", "limit": setting, "maximum": maximum, "actual": actual},
    )


@dataclass(slots=True)
class Shape:
    """A selection set measured with its fragments spread in place."""

    depth: int = 0  # levels of fields, this one included
    aliases: int = 0
    # Response name → how many fields answer under it at this level (spread fragments merged in).
    names: dict[str, int] = field(default_factory=dict)


class _Cycle(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def document_limits(document: DocumentNode, settings: Settings) -> list[GraphQLError]:
    """The document's refusals by the static limits (empty when within them). Linear in its size."""
    operations = sum(1 for d in document.definitions if isinstance(d, OperationDefinitionNode))
    if operations > settings.max_operations:
        return [
            too_complex(
                f"The document defines {operations} operations",
                None,
                "MAX_OPERATIONS",
                settings.max_operations,
                operations,
            )
        ]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    if len(fragments) > settings.max_fragments:
        return [
            too_complex(
                f"The document defines {len(fragments)} fragments",
                None,
                "MAX_FRAGMENTS",
                settings.max_fragments,
                len(fragments),
            )
        ]
    spreads = sum(1 for _ in _spreads(document))
    if spreads > settings.max_fragment_spreads:
        return [
            too_complex(
                f"The document spreads fragments {spreads} times",
                None,
                "MAX_FRAGMENT_SPREADS",
                settings.max_fragment_spreads,
                spreads,
            )
        ]
    measure = _Measure(fragments, settings)
    errors: list[GraphQLError] = []
    try:
        for fragment in fragments.values():
            measure.fragment(fragment.name.value)  # cycles and limits in unused fragments too
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                errors += measure.operation(definition)
    except _Cycle as cycle:
        return [
            GraphQLError(
                f"Fragment {cycle.name!r} spreads itself (through other fragments): fragments may not "
                "form a cycle.",
                fragments[cycle.name],
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
            )
        ]
    if measure.error is not None:
        errors.insert(0, measure.error)
    return errors


def _spreads(document: DocumentNode) -> Iterator[FragmentSpreadNode]:
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection
            elif (
                isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None
            ):
                stack.append(selection.selection_set)


class _Measure:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], settings: Settings) -> None:
        self.fragments = fragments
        self.settings = settings
        self.shapes: dict[str, Shape] = {}
        self.in_progress: set[str] = set()
        # The first field-level refusal (directives, repeated names), wherever it is.
        self.error: GraphQLError | None = None

    def operation(self, operation: OperationDefinitionNode) -> list[GraphQLError]:
        shape = self.selection_set(operation.selection_set)
        settings = self.settings
        errors = []
        if shape.depth > settings.max_query_depth:
            errors.append(
                too_complex(
                    f"The query is {shape.depth} levels deep",
                    operation,
                    "MAX_QUERY_DEPTH",
                    settings.max_query_depth,
                    shape.depth,
                )
            )
        if shape.aliases > settings.max_aliases:
            errors.append(
                too_complex(
                    f"The query has {shape.aliases} aliases",
                    operation,
                    "MAX_ALIASES",
                    settings.max_aliases,
                    shape.aliases,
                )
            )
        return errors

    def fragment(self, name: str) -> Shape | None:
        shape = self.shapes.get(name)
        if shape is not None:
            return shape
        definition = self.fragments.get(name)
        if definition is None:
            return None  # unknown: KnownFragmentNamesRule reports it
        if name in self.in_progress:
            raise _Cycle(name)
        self.in_progress.add(name)
        shape = self.shapes[name] = self.selection_set(definition.selection_set)
        self.in_progress.discard(name)
        return shape

    def selection_set(self, selection_set: SelectionSetNode | None) -> Shape:
        shape = Shape()
        if selection_set is None:
            return shape
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, shape)
            elif isinstance(selection, InlineFragmentNode):
                self._merge(shape, self.selection_set(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                spread = self.fragment(selection.name.value)
                if spread is not None:
                    self._merge(shape, spread)
        self._check_names(shape, selection_set)
        return shape

    def _field(self, node: FieldNode, into: Shape) -> None:
        settings = self.settings
        directives = len(node.directives or ())
        if directives > settings.max_directives_per_field and self.error is None:
            self.error = too_complex(
                f"A field has {directives} directives",
                node,
                "MAX_DIRECTIVES_PER_FIELD",
                settings.max_directives_per_field,
                directives,
            )
        name = node.alias.value if node.alias else node.name.value
        into.names[name] = into.names.get(name, 0) + 1
        if node.alias is not None:
            into.aliases += 1
        if node.name.value.startswith("__"):
            return  # introspection: bounded by the schema (MaxIntrospectionDepthRule), not counted
        children = self.selection_set(node.selection_set)
        into.depth = max(into.depth, children.depth + 1)
        into.aliases += children.aliases

    @staticmethod
    def _merge(into: Shape, other: Shape) -> None:
        into.depth = max(into.depth, other.depth)
        into.aliases += other.aliases
        names = into.names
        for name, count in other.names.items():
            names[name] = names.get(name, 0) + count

    def _check_names(self, shape: Shape, node: SelectionSetNode) -> None:
        maximum = self.settings.max_field_repeats
        if self.error is None and shape.names and (repeats := max(shape.names.values())) > maximum:
            name = next(n for n, count in shape.names.items() if count == repeats)
            self.error = too_complex(
                f"One selection asks for {name!r} {repeats} times",
                node,
                "MAX_FIELD_REPEATS",
                maximum,
                repeats,
            )


# Execution-time cost: needs the schema's types and the request's variables.


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: VariableValues,
    settings: Settings,
) -> GraphQLError | None:
    """The refusal of this operation by cost or by an out-of-range page size, or None."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    pricing = _Pricing(schema, fragments, variables, settings)
    try:
        cost = pricing.selection_set(operation.selection_set, root)
    except _PageSizeError as error:
        return error.error
    if cost > settings.max_query_cost:
        return too_complex(
            f"The query has {cost} cost units", operation, "MAX_QUERY_COST", settings.max_query_cost, cost
        )
    return None


def priced_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables `operation_cost` reads, sorted: those in the priced arguments of any field of the
    document (so the price of a document is the same for the same values of these)."""
    names: set[str] = set()
    for node in _nodes(document):
        if isinstance(node, FieldNode):
            for argument in node.arguments or ():
                if argument.name.value in PRICED_ARGUMENTS:
                    names.update(_variables_in(argument.value))
    return tuple(sorted(names))


def _nodes(document: DocumentNode) -> Iterator[Any]:
    pending: list[Any] = list(document.definitions)
    while pending:
        node = pending.pop()
        yield node
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)


def _variables_in(value: ValueNode) -> Iterator[str]:
    if isinstance(value, VariableNode):
        yield value.name.value
    elif isinstance(value, ListValueNode):
        for item in value.values:
            yield from _variables_in(item)
    elif isinstance(value, ObjectValueNode):
        for field_node in value.fields:
            yield from _variables_in(field_node.value)


class _PageSizeError(Exception):
    def __init__(self, error: GraphQLError) -> None:
        self.error = error


class _Pricing:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        settings: Settings,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.settings = settings
        # A fragment's cost is the same wherever it is spread: priced once.
        self.priced: dict[str, int] = {}

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, target or parent)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, parent)
        return total

    def _fragment(self, name: str, parent: GraphQLNamedType) -> int:
        if name in self.priced:
            return self.priced[name]
        fragment = self.fragments.get(name)
        if fragment is None:
            return 0
        self.priced[name] = 0  # validated documents have no cycles; this only guards the recursion
        target = self.schema.get_type(fragment.type_condition.name.value) or parent
        cost = self.priced[name] = self.selection_set(fragment.selection_set, target)
        return cost

    def _field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        # Below an interface or union, inline fragments name the concrete types: each counts in full.
        children = self.selection_set(node.selection_set, get_named_type(definition.type))
        return 1 + self._multiplier(node, parent, definition) * children

    def _multiplier(self, node: FieldNode, parent: GraphQLNamedType, definition: Any) -> int:
        settings = self.settings
        arguments = self._arguments(node, definition)
        for name in PAGE_ARGUMENTS:
            value = arguments.get(name)
            if value is not None:
                refusal = page_size_refusal(settings, name, value)
                if refusal is not None:
                    extensions = {"code": "BAD_USER_INPUT", "argument": name, "limit": settings.max_page_size}
                    raise _PageSizeError(
                        GraphQLError(f"{refusal} Nothing was run.", node, extensions=extensions)
                    )
                return int(value)
        field_type = definition.type
        if get_named_type(field_type).name.endswith("Connection"):
            return settings.default_page_size
        if not isinstance(get_nullable_type(field_type), GraphQLList):
            return 1
        if parent.name.endswith("Connection"):
            return 1  # edges and nodes: the connection's page size already counted them
        ids = arguments.get("ids")
        if isinstance(ids, list):
            return len(ids)
        return settings.list_cost_estimate

    def _arguments(self, node: FieldNode, definition: Any) -> dict[str, Any]:
        if not node.arguments:
            return {}
        try:
            return get_argument_values(definition, node, self.variables)
        except GraphQLError:
            return {}  # the executor reports a bad argument in its own words
