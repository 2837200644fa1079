"""How Apollo Client turns a document into the text it hashes, so that a trusted document is found by
Apollo's hash of it too.

Apollo Client 4's PersistedQueryLink sends `sha256(print(document))`, where `document` is what its cache
made of the one written: `__typename` added to every selection set but the operation's own (its
`addTypenameToDocument`), and `print` is graphql-js's. graphql-js prints object values two ways:
`{ a: 1 }` since 17 (as graphql-core 3.3 does) and `{a: 1}` in 16; Apollo Client 4 runs on either. Both
printings are offered (tests/examples/ checks them against Apollo Client itself, from npm).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    Lexer,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
    Visitor,
    print_ast,
    visit,
)

TYPENAME = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())


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
    """The texts Apollo Client 4 hashes for `document`: with graphql-js 17, and with graphql-js 16."""
    printed = print_ast(with_typename(document))
    return {printed, graphql_js_16(printed)}


def graphql_js_16(printed: str) -> str:
    """graphql-js 16's printing of a document that graphql-js 17 (or graphql-core 3.3) printed as
    `printed`: the same but for object values, `{a: 1}` instead of `{ a: 1 }` (`{}` for `{  }`).

    A selection set's brace is always followed by a line break in printed text, an object value's by a
    space; the lexer tells braces from the same characters inside strings."""
    lexer = Lexer(Source(printed))
    removed: list[int] = []
    objects: list[bool] = []
    token = lexer.advance()
    while token.kind is not TokenKind.EOF:
        if token.kind is TokenKind.BRACE_L:
            is_object = printed[token.end : token.end + 1] == " "
            objects.append(is_object)
            if is_object:
                removed.append(token.end)
        elif token.kind is TokenKind.BRACE_R and objects.pop():
            removed.append(token.start - 1)
        token = lexer.advance()
    pieces, start = [], 0
    for index in sorted(removed):
        pieces.append(printed[start:index])
        start = index + 1
    pieces.append(printed[start:])
    return "".join(pieces)
