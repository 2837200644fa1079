"""Worst-case GraphQL documents, each as large as a request may carry (MAX_BODY_BYTES, MAX_TOKENS).

Every generator takes the byte budget and returns a request body (query and variables) that
stresses one part of parsing or validation: fragments that spread each other, nesting, aliases,
directives, long strings, variables, list values, fields that validation must compare pairwise.
The benchmark (bench/hostile.py) and the tests (tests/web/test_hostile_documents.py) share them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from graphql import GraphQLError
from graphql.language import Lexer, Source, TokenKind


@dataclass(frozen=True, slots=True)
class Body:
    """A request body: the document, and the JSON text of the whole body (variables may nest deeper
    than a JSON library will write, so the text is assembled here)."""

    query: str
    json: bytes

    def with_comment(self, text: str) -> bytes:
        """The same body with `# text` appended to the document: a new text for every cache."""
        return self.json.replace(orjson.dumps(self.query), orjson.dumps(f"{self.query}\n#{text}"), 1)


@dataclass(frozen=True, slots=True)
class Hostile:
    name: str
    what: str
    body: Body

    @property
    def size(self) -> int:
        return len(self.body.json)


def body(query: str, *, variables: str | None = None, operation_name: str | None = None) -> Body:
    parts = [b'{"query": ' + orjson.dumps(query)]
    if variables is not None:
        parts.append(b', "variables": ' + variables.encode())
    if operation_name is not None:
        parts.append(b', "operationName": ' + orjson.dumps(operation_name))
    return Body(query, b"".join(parts) + b"}")


@dataclass(frozen=True, slots=True)
class Budget:
    """What one request may carry: bytes of body (MAX_BODY_BYTES), tokens of document (MAX_TOKENS)."""

    bytes: int
    tokens: int

    def admits(self, candidate: Body) -> bool:
        return len(candidate.json) <= self.bytes and _tokens(candidate.query, self.tokens + 1) <= self.tokens


def _tokens(query: str, stop: int) -> int:
    """Lexical tokens in `query`, counting no further than `stop`."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while count < stop and lexer.advance().kind is not TokenKind.EOF:
            count += 1
    except GraphQLError:
        pass  # a lexical error: the count so far
    return count


def _fit(budget: Budget, make: Callable[[int], Body], start: int = 1) -> Body:
    """The largest `make(n)` that the budget admits (n doubles, then bisects)."""
    low, high = start, start
    while budget.admits(make(high)) and high < 1 << 20:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if budget.admits(make(middle)) else (low, middle)
    return make(low)


def fragment_fan_out(budget: Budget) -> Body:
    """Fragment i spreads fragment i+1 twice: 2^n fields once expanded."""

    def make(n: int) -> Body:
        fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(n))
        return body(f"query Fan {{ ...F0 }} {fragments}fragment F{n} on Query {{ viewer {{ kind }} }}")

    return _fit(budget, make)


def fragment_fan_out_wide(budget: Budget) -> Body:
    """Each fragment spreads the next one many times over, under the same field."""

    def make(n: int) -> Body:
        spreads = " ".join("...W{next}" for _ in range(8))
        fragments = "".join(
            f"fragment W{i} on Carrier {{ code {spreads.format(next=i + 1)} }} " for i in range(n)
        )
        return body(f"{{ carriers {{ nodes {{ ...W0 }} }} }} {fragments}fragment W{n} on Carrier {{ name }}")

    return _fit(budget, make)


def fragment_cycle(budget: Budget) -> Body:
    """Fragments that spread each other in a ring."""

    def make(n: int) -> Body:
        fragments = "".join(
            f"fragment C{i} on Query {{ ...C{(i + 1) % n} viewer {{ kind }} }} " for i in range(n)
        )
        return body(f"{{ ...C0 }} {fragments}")

    return _fit(budget, make, start=2)


def deep_nesting(budget: Budget) -> Body:
    """Selections nested as deep as the text allows."""

    def make(n: int) -> Body:
        return body("{ " + "viewer { carriers { nodes { organization { " * n + "}}}}" * n + " }")

    return _fit(budget, make)


def many_aliases(budget: Budget) -> Body:
    def make(n: int) -> Body:
        return body("{ " + " ".join(f"a{i}: viewer {{ kind }}" for i in range(n)) + " }")

    return _fit(budget, make)


def many_directives(budget: Budget) -> Body:
    def make(n: int) -> Body:
        return body("{ viewer { kind " + "@include(if: true) " * n + "} }")

    return _fit(budget, make)


def long_string(budget: Budget) -> Body:
    def make(n: int) -> Body:
        return body('{ carriers(search: "' + "x" * n + '") { totalCount } }')

    return _fit(budget, make)


def many_variables(budget: Budget) -> Body:
    def make(n: int) -> Body:
        definitions = " ".join(f"$v{i}: Int" for i in range(n))
        return body(f"query Many({definitions}) {{ viewer {{ kind }} }}", variables="{}")

    return _fit(budget, make)


def deep_list_value(budget: Budget) -> Body:
    def make(n: int) -> Body:
        return body("{ nodes(ids: " + "[" * n + '"x"' + "]" * n + ") { id } }")

    return _fit(budget, make)


def deep_variable_value(budget: Budget) -> Body:
    """A variable whose JSON value nests lists as deep as the body allows."""

    def make(n: int) -> Body:
        value = "[" * n + '"x"' + "]" * n
        return body("query Deep($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables=f'{{"ids": {value}}}')

    return _fit(budget, make)


def repeated_field(budget: Budget) -> Body:
    """One field selected again and again: validation compares every pair with the same name."""

    def make(n: int) -> Body:
        return body("{ " + "viewer { kind name } " * n + "}")

    return _fit(budget, make)


def repeated_leaf(budget: Budget) -> Body:
    def make(n: int) -> Body:
        return body("{ viewer { " + "kind " * n + "} }")

    return _fit(budget, make)


def conflicting_fields(budget: Budget) -> Body:
    """The same response name for different fields, many times: every pair is a conflict to report."""

    def make(n: int) -> Body:
        fields = " ".join("code" if i % 2 else "code: name" for i in range(n))
        return body("{ carriers { nodes { " + fields + " } } }")

    return _fit(budget, make)


def overlapping_fragments(budget: Budget) -> Body:
    """Many fragments on one type, all spread into one selection, each selecting the same fields."""

    def make(n: int) -> Body:
        selection = "code name organization { name carriers { nodes { code } } }"
        fragments = "".join(f"fragment O{i} on Carrier {{ {selection} }} " for i in range(n))
        spreads = " ".join(f"...O{i}" for i in range(n))
        return body(f"{{ carriers {{ nodes {{ {spreads} }} }} }} {fragments}")

    return _fit(budget, make)


def many_operations(budget: Budget) -> Body:
    def make(n: int) -> Body:
        operations = " ".join(f"query Q{i} {{ viewer {{ kind }} }}" for i in range(n))
        return body(operations, operation_name="Q0")

    return _fit(budget, make)


def introspection_depth(budget: Budget) -> Body:
    def make(n: int) -> Body:
        return body("{ __schema { types { " + "fields { type { " * n + "name" + " } }" * n + " } } }")

    return _fit(budget, make)


GENERATORS: dict[str, tuple[str, Callable[[Budget], Body]]] = {
    "fragment fan-out": ("fragment i spreads fragment i+1 twice", fragment_fan_out),
    "fragment fan-out, wide": ("each fragment spreads the next eight times", fragment_fan_out_wide),
    "fragment cycle": ("fragments spreading each other in a ring", fragment_cycle),
    "deep nesting": ("selections nested as deep as the text allows", deep_nesting),
    "many aliases": ("one aliased field per few bytes", many_aliases),
    "many directives": ("@include repeated on one field", many_directives),
    "long string": ("one string argument filling the body", long_string),
    "many variables": ("variable definitions filling the body", many_variables),
    "deep list value": ("a list argument nested as deep as the text allows", deep_list_value),
    "deep variable value": ("a variable's JSON value nested as deep as the body allows", deep_variable_value),
    "repeated field": ("one object field selected again and again", repeated_field),
    "repeated leaf": ("one leaf field selected again and again", repeated_leaf),
    "conflicting fields": ("one response name for two different fields, many times", conflicting_fields),
    "overlapping fragments": (
        "many fragments selecting the same fields into one selection",
        overlapping_fragments,
    ),
    "many operations": ("many operations in one document", many_operations),
    "introspection depth": ("introspection nested through fields and types", introspection_depth),
}


def documents(budget: Budget) -> list[Hostile]:
    """Every worst case, each as large as the budget admits."""
    return [Hostile(name, what, make(budget)) for name, (what, make) in GENERATORS.items()]
