"""Generated variations of a document: written differently (the same document), or asking something else
(another document). For the tests of trusted-document comparison."""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    IntValueNode,
    Lexer,
    NameNode,
    SelectionSetNode,
    Source,
    TokenKind,
    Visitor,
    parse,
    print_ast,
    visit,
)
from hypothesis import strategies as st

# What GraphQL ignores between tokens: white space, line breaks, commas, comments, the byte order mark.
IGNORED = st.sampled_from(
    [" ", "  ", "\n", "\t", ",", " , ", "\r\n", "\n# a comment, { not a brace\n", "\ufeff"]
)


@st.composite
def written_differently(draw: st.DrawFn, text: str) -> str:
    """`text` with other ignored characters between its tokens, and its strings quoted either way."""
    lexer = Lexer(Source(text))
    pieces: list[str] = []
    token = lexer.advance()
    while token.kind is not TokenKind.EOF:
        raw = text[token.start : token.end]
        if token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING) and draw(st.booleans()):
            raw = _requoted(token.value or "", token.kind)
        pieces.append(raw)
        token = lexer.advance()
    separated = [draw(IGNORED) if draw(st.booleans()) else ""]
    for piece in pieces:
        separated += [piece, draw(st.lists(IGNORED, min_size=1, max_size=2).map("".join))]
    return "".join(separated)


def _requoted(value: str, kind: TokenKind) -> str:
    """The same string value in the other quoting, where it can be written that way."""
    simple = value == value.strip() and not any(c in value for c in '"\\\n\r') and value.isprintable()
    if kind is TokenKind.STRING and simple:
        return f'"""{value}"""'
    return _quoted(value)


def _quoted(value: str) -> str:
    escaped = "".join({"\\": "\\\\", '"': '\\"'}.get(c, c) if c.isprintable() else _escaped(c) for c in value)
    return f'"{escaped}"'


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\u{{{code:x}}}"


class _Change(Visitor):
    """Changes the `target`-th field (in visiting order) one way; counts the fields."""

    def __init__(self, target: int, how: str) -> None:
        super().__init__()
        self.target, self.how, self.seen, self.changed = target, how, 0, False

    def enter_selection_set(self, node: SelectionSetNode, *_: Any) -> Any:
        fields = [s for s in node.selections if isinstance(s, FieldNode)]
        for field in fields:
            if self.seen == self.target and not self.changed:
                self.changed = True
                self.seen += 1
                return SelectionSetNode(selections=self._changed(node.selections, field))
            self.seen += 1
        return None

    def _changed(self, selections: Any, field: FieldNode) -> tuple[Any, ...]:
        if self.how == "another field":
            extra = FieldNode(
                alias=NameNode(value="another"),
                name=field.name,
                arguments=field.arguments,
                directives=(),
                selection_set=field.selection_set,
            )
            return (*selections, extra)
        if self.how == "a field less" and len(selections) > 1:
            return tuple(s for s in selections if s is not field)
        if self.how == "another argument":
            argument = ArgumentNode(name=NameNode(value="another"), value=IntValueNode(value="1"))
            changed = FieldNode(
                alias=field.alias,
                name=field.name,
                arguments=(*(field.arguments or ()), argument),
                directives=field.directives,
                selection_set=field.selection_set,
            )
            return tuple(changed if s is field else s for s in selections)
        # another alias (also the fallback for a field that is alone in its selection)
        renamed = FieldNode(
            alias=NameNode(value=f"renamed_{field.name.value}"),
            name=field.name,
            arguments=field.arguments,
            directives=field.directives,
            selection_set=field.selection_set,
        )
        return tuple(renamed if s is field else s for s in selections)


CHANGES = ("another field", "a field less", "another argument", "another alias")


@st.composite
def asking_something_else(draw: st.DrawFn, text: str) -> str:
    """`text` with one field added, removed, given another argument or another alias; printed either
    way (as graphql-core prints it, or with other ignored characters)."""
    document: DocumentNode = parse(text, no_location=True)
    counter = _Change(-1, "")
    visit(document, counter)
    change = _Change(draw(st.integers(0, counter.seen - 1)), draw(st.sampled_from(CHANGES)))
    changed = print_ast(visit(document, change))
    assert change.changed
    return draw(st.one_of(st.just(changed), written_differently(changed)))
