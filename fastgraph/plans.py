"""The plans of one executor class (so of one schema), kept per document in a bounded least-recently-used map.

A plan is found by its operation node (the parsed document is itself cached per text upstream, so the
same text brings the same node; the entry keeps the node alive, so its identity is not reused while it
is here) and by the values of the variables its @skip and @include read. Nothing else goes into the
key because nothing else goes into a plan (fastgraph/plan.py).

Bounded twice, so that distinct documents, however many, cannot grow it: at most `size` documents,
and at most `VARIANTS` plans per document (a document with many directive variables builds the rest
per request, as before plans were kept). Only operations the executor is about to run get here: a
document that does not parse, validate, or fit the request limits never runs, so it is never planned.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ExecutableDefinitionNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    SelectionNode,
    VariableNode,
)
from graphql.execution import VariableValues

from fastgraph.collect import supported
from fastgraph.plan import Plan, Shape

SIZE = 256
VARIANTS = 8
DIRECTIVES = frozenset({"skip", "include"})
_ABSENT = object()  # a variable the request does not give (a key apart from any value it could give)


@dataclass(slots=True)
class Document:
    """One operation of one document: whether fastgraph runs it at all, which variables decide its
    selections, and its plans by their values."""

    operation: OperationDefinitionNode
    supported: bool
    directive_variables: tuple[str, ...]
    plans: dict[tuple[Any, ...], Plan] = field(default_factory=dict)


class Plans:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self.documents: OrderedDict[int, Document] = OrderedDict()

    def __len__(self) -> int:
        return sum(len(document.plans) for document in self.documents.values())

    def serves(self, operation: OperationDefinitionNode) -> bool:
        """Whether this operation has a kept plan (of a document fastgraph runs at all)."""
        found = self.documents.get(id(operation))
        return found is not None and found.operation is operation and found.supported and bool(found.plans)

    def document(
        self, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
    ) -> Document:
        key = id(operation)
        found = self.documents.get(key)
        if found is not None and found.operation is operation:
            self.documents.move_to_end(key)
            return found
        document = Document(
            operation, supported(operation, fragments), _directive_variables(operation, fragments)
        )
        self.documents[key] = document
        self.documents.move_to_end(key)
        if len(self.documents) > self.size:
            self.documents.popitem(last=False)
        return document

    def plan(
        self,
        shape: Shape,
        document: Document,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> tuple[Plan, bool]:
        """The document's plan for these variables (and the shape's writer), and whether an earlier
        request had built it."""
        names = document.directive_variables
        coerced = variables.coerced
        values = (shape.datetimes_as_is, *(coerced.get(name, _ABSENT) for name in names))
        found = document.plans.get(values)
        if found is not None:
            return found, True
        # Only what the directives read: the plan keeps no other value of this request.
        read = VariableValues(
            {name: source for name, source in variables.sources.items() if name in names},
            {name: value for name, value in coerced.items() if name in names},
        )
        plan = Plan(shape, document.operation, fragments, read)
        if len(document.plans) < VARIANTS:
            document.plans[values] = plan
        return plan, False


def _directive_variables(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables any @skip or @include of the operation or its fragments reads, sorted."""
    names: set[str] = set()
    pending: list[ExecutableDefinitionNode | SelectionNode] = [operation, *fragments.values()]
    while pending:
        node = pending.pop()
        for directive in node.directives or ():
            if directive.name.value in DIRECTIVES:
                names.update(
                    argument.value.name.value
                    for argument in directive.arguments or ()
                    if isinstance(argument.value, VariableNode)
                )
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return tuple(sorted(names))
