"""Which fields an object answers: the selection sets merged, fragments spread, @skip/@include applied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graphql import (
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    is_abstract_type,
)
from graphql.execution import VariableValues, get_directive_values

FieldGroups = dict[str, list[FieldNode]]  # response key → the field nodes merged under it

# Directives this executor does not implement: an operation using any goes to graphql-core.
UNSUPPORTED_DIRECTIVES = frozenset({"defer", "stream"})


def collect(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: VariableValues,
    object_type: GraphQLObjectType,
    selection_sets: Iterable[SelectionSetNode],
) -> FieldGroups:
    """The fields selected on an object of `object_type`, by response key, in document order."""
    collector = _Collector(schema, fragments, variables, object_type)
    for selection_set in selection_sets:
        collector.add(selection_set)
    return collector.groups


class _Collector:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        object_type: GraphQLObjectType,
    ) -> None:
        self.schema, self.fragments, self.variables, self.object_type = (
            schema,
            fragments,
            variables,
            object_type,
        )
        self.groups: FieldGroups = {}
        self.visited: set[str] = set()  # fragments already spread into this object

    def add(self, selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if selection.directives and not _included(selection, self.variables):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                group = self.groups.get(key)
                if group is None:
                    self.groups[key] = [selection]
                else:
                    group.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or _applies(self.schema, condition.name.value, self.object_type):
                    self.add(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                self._spread(selection.name.value)

    def _spread(self, name: str) -> None:
        fragment = self.fragments.get(name)
        if name in self.visited or fragment is None:
            return
        self.visited.add(name)
        if _applies(self.schema, fragment.type_condition.name.value, self.object_type):
            self.add(fragment.selection_set)


def _included(node: SelectionNode, variables: VariableValues) -> bool:
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip is not None and skip["if"] is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include is not None and include["if"] is False)


def _applies(schema: GraphQLSchema, type_name: str, object_type: GraphQLObjectType) -> bool:
    condition = schema.get_type(type_name)
    if condition is object_type:
        return True
    return is_abstract_type(condition) and schema.is_sub_type(condition, object_type)


def supported(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    """Whether this executor can run the operation at all (checked before any resolver runs)."""
    if operation.operation.value != "query":
        return False
    if any(fragment.variable_definitions for fragment in fragments.values()):
        return False  # fragment arguments (experimental in graphql-core)
    return not any(_uses_unsupported(node) for node in (operation, *fragments.values()))


def _uses_unsupported(root: ExecutableDefinitionNode) -> bool:
    """Whether a directive this executor does not implement appears anywhere in the definition. A
    walk of its selections, not graphql-core's `visit`: this runs for every request, and a Visitor
    is a reference cycle (its method cache holds its bound methods) left for the garbage collector."""
    pending: list[ExecutableDefinitionNode | SelectionNode] = [root]
    while pending:
        node = pending.pop()
        if any(directive.name.value in UNSUPPORTED_DIRECTIVES for directive in node.directives or ()):
            return True
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return False
