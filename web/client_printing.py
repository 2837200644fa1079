"""How Apollo Client turns a document into the text it hashes, so that a trusted document is found by
Apollo's hash of it too.

Apollo Client 4's PersistedQueryLink sends `sha256(print(document))`, where `document` is what its cache
made of the one written: `__typename` added to every selection set but the operation's own (its
`addTypenameToDocument`), and `print` is graphql-js's. Apollo Client 4 runs on graphql-js 16 or 17, which
print differently: 17 (as graphql-core 3.3 does) writes `{ a: 1 }` and breaks a list or object value
longer than a line over several lines; 16 writes `{a: 1}` and never breaks a value. Both printings are
offered. tests/examples/test_apollo.py checks them against Apollo Client itself (from npm) on the page's
documents and on documents generated from the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    InlineFragmentNode,
    NameNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    Visitor,
    print_ast,
    visit,
)

TYPENAME = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
# graphql-js breaks a field's arguments over several lines past this length.
MAX_LINE_LENGTH = 80


class _AddTypename(Visitor):
    """Apollo's addTypenameToDocument: `__typename` last in every selection set but an operation's,
    unless one of its fields is already `__typename` (or another `__` field), or its field is
    `@export`ed."""

    def enter_selection_set(self, node: SelectionSetNode, _key: Any, parent: Any, *_: Any) -> Any:
        if isinstance(parent, OperationDefinitionNode) or not node.selections:
            return None
        if any(isinstance(s, FieldNode) and s.name.value.startswith("__") for s in node.selections):
            return None
        if isinstance(parent, FieldNode) and any(d.name.value == "export" for d in parent.directives or ()):
            return None
        return SelectionSetNode(selections=(*node.selections, TYPENAME))


def with_typename(document: DocumentNode) -> DocumentNode:
    added: DocumentNode = visit(document, _AddTypename())
    return added


def apollo_printings(document: DocumentNode) -> set[str]:
    """The texts Apollo Client 4 hashes for `document`: on graphql-js 17, and on graphql-js 16."""
    apollo = with_typename(document)
    return {print_ast(apollo), graphql_js_16(apollo)}


def graphql_js_16(node: Node) -> str:
    """`node` printed as graphql-js 16 (16.13 and later) prints an executable document."""
    printer = _GRAPHQL_JS_16.get(node.kind)
    if printer is None:
        raise ValueError(f"not part of an executable document: {node.kind}")
    return printer(node)


def _operation(node: OperationDefinitionNode) -> str:
    definitions = _each(node.variable_definitions)
    variables = (
        _wrap("(\n", _join(definitions, "\n"), "\n)")
        if any("\n" in d for d in definitions)
        else _wrap("(", _join(definitions, ", "), ")")
    )
    operation = node.operation.value
    head = _join(
        (
            operation,
            _join((node.name.value if node.name else "", variables)),
            _join(_each(node.directives), " "),
        ),
        " ",
    )
    prefix = _join((_wrap("", _optional(getattr(node, "description", None)), "\n"), head))
    # Anonymous queries with no directives or variable definitions use the short form.
    short = operation == "query" and prefix == operation
    return _join(("" if short else prefix + " ", graphql_js_16(node.selection_set)))


def _fragment(node: FragmentDefinitionNode) -> str:
    return _join(
        (
            _wrap("", _optional(getattr(node, "description", None)), "\n"),
            "fragment ",
            node.name.value,
            _wrap("(", _join(_each(node.variable_definitions), ", "), ")"),
            " on ",
            node.type_condition.name.value,
            " ",
            _wrap("", _join(_each(node.directives), " "), " "),
            graphql_js_16(node.selection_set),
        )
    )


def _variable_definition(node: VariableDefinitionNode) -> str:
    return _join(
        (
            _wrap("", _optional(getattr(node, "description", None)), "\n"),
            graphql_js_16(node.variable),
            ": ",
            graphql_js_16(node.type),
            _wrap(" = ", _optional(node.default_value)),
            _wrap(" ", _join(_each(node.directives), " ")),
        )
    )


def _field(node: FieldNode) -> str:
    prefix = _join((_wrap("", node.alias.value if node.alias else "", ": "), node.name.value))
    return _join(
        (
            _with_arguments(prefix, _each(node.arguments)),
            _wrap(" ", _join(_each(node.directives), " ")),
            _wrap(" ", _optional(node.selection_set)),
        )
    )


def _inline_fragment(node: InlineFragmentNode) -> str:
    condition = node.type_condition.name.value if node.type_condition else ""
    parts = ("...", _wrap("on ", condition), _join(_each(node.directives), " "))
    return _join((*parts, graphql_js_16(node.selection_set)), " ")


# How graphql-js 16 prints each kind of node of an executable document (its printer's reducer).
_GRAPHQL_JS_16: dict[str, Callable[[Any], str]] = {
    "document": lambda node: _join(_each(node.definitions), "\n\n"),
    "operation_definition": _operation,
    "fragment_definition": _fragment,
    "variable_definition": _variable_definition,
    "selection_set": lambda node: _block(_each(node.selections)),
    "field": _field,
    "fragment_spread": lambda node: _join(
        ("...", node.name.value, _wrap(" ", _join(_each(node.directives), " ")))
    ),
    "inline_fragment": _inline_fragment,
    "argument": lambda node: _join((node.name.value, ": ", graphql_js_16(node.value))),
    "object_field": lambda node: _join((node.name.value, ": ", graphql_js_16(node.value))),
    "directive": lambda node: _join(
        ("@", node.name.value, _wrap("(", _join(_each(node.arguments), ", "), ")"))
    ),
    "variable": lambda node: "$" + node.name.value,
    "int_value": lambda node: node.value,
    "float_value": lambda node: node.value,
    "enum_value": lambda node: node.value,
    "boolean_value": lambda node: "true" if node.value else "false",
    "null_value": lambda _: "null",
    "string_value": print_ast,  # strings print alike in 16 and 17
    # Where 16 and 17 differ: 16 never breaks a value over lines, and puts no spaces inside braces.
    "list_value": lambda node: "[" + _join(_each(node.values), ", ") + "]",
    "object_value": lambda node: "{" + _join(_each(node.fields), ", ") + "}",
    "named_type": lambda node: node.name.value,
    "list_type": lambda node: "[" + graphql_js_16(node.type) + "]",
    "non_null_type": lambda node: graphql_js_16(node.type) + "!",
}


# graphql-js's printing helpers, on finished strings: an indented part's length counts its indentation,
# exactly as graphql-js's buffers count it, so the same lines break.


def _each(nodes: Iterable[Node] | None) -> list[str]:
    return [graphql_js_16(node) for node in nodes or ()]


def _optional(node: Node | None) -> str:
    return graphql_js_16(node) if node is not None else ""


def _join(items: Iterable[str], separator: str = "") -> str:
    return separator.join(item for item in items if item)


def _wrap(start: str, text: str, end: str = "") -> str:
    return start + text + end if text else ""


def _indent(text: str) -> str:
    return "  " + text.replace("\n", "\n  ") if text else ""


def _block(items: Sequence[str]) -> str:
    return _wrap("{\n", _indent(_join(items, "\n")), "\n}")


def _with_arguments(prefix: str, arguments: Sequence[str]) -> str:
    if not arguments:
        return prefix
    if len(prefix) + len(_join(arguments, ", ")) + 2 > MAX_LINE_LENGTH:
        return prefix + _wrap("(\n", _indent(_join(arguments, "\n")), "\n)")
    return prefix + _wrap("(", _join(arguments, ", "), ")")
