"""Limits on what one query may ask for: depth, aliases, directives per field, and cost.

Checked during validation, before any resolver runs. Each refusal names the limit and its setting.
Cost multiplies down the tree: a connection's `first`/`last` (the page cap when it is a variable, the
default page size when absent), a `nodes(ids:)` list's length, or LIST_COST_ESTIMATE for other lists;
introspection fields are not counted (their size is bounded by the schema).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)

from settings import Settings

PAGE_ARGUMENTS = ("first", "last")


@dataclass(slots=True)
class Measure:
    cost: int = 0
    depth: int = 0
    aliases: int = 0
    directives: int = 0  # the most on any one field


def limits_rule(settings: Settings) -> type[ValidationRule]:
    """A validation rule class bound to these settings (graphql-core instantiates rules itself)."""

    class QueryLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            measure = Measure()
            measure.cost = self._selections(node.selection_set, root, 1, measure, frozenset())
            self._check(node, measure)

        def _check(self, node: OperationDefinitionNode, measure: Measure) -> None:
            for actual, maximum, setting, what in (
                (measure.depth, settings.max_query_depth, "MAX_QUERY_DEPTH", "levels deep"),
                (measure.aliases, settings.max_aliases, "MAX_ALIASES", "aliases"),
                (
                    measure.directives,
                    settings.max_directives_per_field,
                    "MAX_DIRECTIVES_PER_FIELD",
                    "directives on one field",
                ),
                (measure.cost, settings.max_query_cost, "MAX_QUERY_COST", "cost units"),
            ):
                if actual > maximum:
                    self.report_error(
                        GraphQLError(
                            f"The query has {actual} {what}; the limit is {maximum} ({setting}). "
                            "Ask for less, or page through it.",
                            node,
                            extensions={
                                "code": "QUERY_TOO_COMPLEX",
                                "limit": setting,
                                "maximum": maximum,
                                "actual": actual,
                            },
                        )
                    )

        def _selections(
            self,
            selection_set: SelectionSetNode | None,
            parent: GraphQLNamedType,
            depth: int,
            measure: Measure,
            fragments: frozenset[str],
        ) -> int:
            if selection_set is None:
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    total += self._field(selection, parent, depth, measure, fragments)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    target = self.context.schema.get_type(condition.name.value) if condition else parent
                    total += self._selections(
                        selection.selection_set, target or parent, depth, measure, fragments
                    )
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.context.get_fragment(name)
                    if fragment is None or name in fragments:
                        continue  # unknown or cyclic: other rules report it
                    target = self.context.schema.get_type(fragment.type_condition.name.value)
                    total += self._selections(
                        fragment.selection_set, target or parent, depth, measure, fragments | {name}
                    )
            return total

        def _field(
            self,
            node: FieldNode,
            parent: GraphQLNamedType,
            depth: int,
            measure: Measure,
            fragments: frozenset[str],
        ) -> int:
            if node.alias is not None:
                measure.aliases += 1
            measure.directives = max(measure.directives, len(node.directives or ()))
            name = node.name.value
            if name.startswith("__"):
                return 0
            if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) or name not in parent.fields:
                return 0  # an unknown field: FieldsOnCorrectTypeRule reports it
            measure.depth = max(measure.depth, depth)
            field_type = parent.fields[name].type
            children = self._selections(
                node.selection_set, get_named_type(field_type), depth + 1, measure, fragments
            )
            return 1 + self._multiplier(node, parent, field_type) * children

        def _multiplier(self, node: FieldNode, parent: GraphQLNamedType, field_type: Any) -> int:
            arguments = {argument.name.value: argument.value for argument in node.arguments or ()}
            for name in PAGE_ARGUMENTS:
                if name in arguments:
                    value = arguments[name]
                    return int(value.value) if isinstance(value, IntValueNode) else settings.max_page_size
            if get_named_type(field_type).name.endswith("Connection"):
                return settings.default_page_size
            if not isinstance(get_nullable_type(field_type), GraphQLList):
                return 1
            if parent.name.endswith("Connection"):
                return 1  # edges and nodes: the connection's page size already counted them
            ids = arguments.get("ids")
            if isinstance(ids, ListValueNode):
                return len(ids.values)
            return settings.max_page_size if ids is not None else settings.list_cost_estimate

    return QueryLimits
