"""Every part of the schema a client sees in GraphiQL is described: types, fields, enum values.

Walks the built graphql-core schema, so anything added later (a mutation, an input type) is covered
without changing this file. Arguments may go without a description; their count is reported only.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
)

from schema.build import schema

# The scalars GraphQL itself defines, described by the specification rather than by this schema.
BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


def own_types() -> list[GraphQLNamedType]:
    return [
        gql_type
        for name, gql_type in sorted(schema._schema.type_map.items())
        if not name.startswith("__") and name not in BUILT_IN_SCALARS
    ]


def described(text: str | None) -> bool:
    return bool(text and text.strip())


def undocumented_arguments() -> list[str]:
    """Coordinates of arguments without a description, on fields and on directives."""
    missing: list[str] = []

    def check(owner: str, arguments: dict[str, GraphQLArgument]) -> None:
        missing.extend(f"{owner}({name}:)" for name, a in arguments.items() if not described(a.description))

    for gql_type in own_types():
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in gql_type.fields.items():
                check(f"{gql_type.name}.{field_name}", field.args)
    for directive in schema._schema.directives:
        check(f"@{directive.name}", directive.args)
    return missing


def test_the_walk_sees_the_schema() -> None:
    names = {t.name for t in own_types()}
    assert {"Query", "Carrier", "Organization", "ApiKey", "Node", "EnablementState", "PageInfo"} <= names


def test_every_type_has_a_description() -> None:
    missing = [t.name for t in own_types() if not described(t.description)]

    assert not missing, f"types without a description: {', '.join(missing)}"


def test_every_field_has_a_description() -> None:
    missing: list[str] = []
    for gql_type in own_types():
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            missing.extend(
                f"{gql_type.name}.{name}"
                for name, field in gql_type.fields.items()
                if not described(field.description)
            )

    assert not missing, f"fields without a description: {', '.join(missing)}"


def test_every_enum_value_has_a_description() -> None:
    missing: list[str] = []
    for gql_type in own_types():
        if isinstance(gql_type, GraphQLEnumType):
            missing.extend(
                f"{gql_type.name}.{name}"
                for name, value in gql_type.values.items()
                if not described(value.description)
            )

    assert not missing, f"enum values without a description: {', '.join(missing)}"


def test_every_directive_of_the_schema_has_a_description() -> None:
    missing = [d.name for d in schema._schema.directives if not described(d.description)]

    assert not missing, f"directives without a description: {', '.join(missing)}"


def test_undocumented_arguments_are_counted() -> None:
    """Not a requirement: prints the count (run with -s or -rP to see it)."""
    missing = undocumented_arguments()

    print(f"{len(missing)} arguments without a description: {', '.join(missing)}")
    assert all("(" in coordinate for coordinate in missing)
