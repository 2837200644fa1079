"""The schema's abstract types and the object types each may be, as Apollo Client's cache needs them.

`python -m schema.possible_types` prints `{"<union or interface>": ["<object type>", ...]}`, committed as
possible-types.json (`make schema` writes it; a test fails when it drifts). Give it to Apollo Client as
`new InMemoryCache({ possibleTypes })`: without it, a fragment on an interface or union (`... on UserError
{ message code field }` on a mutation's result) matches nothing in the cache and its fields are dropped.
"""

from __future__ import annotations

import json

from graphql import GraphQLInterfaceType, GraphQLSchema, GraphQLUnionType

from schema.build import schema


def possible_types(graphql_schema: GraphQLSchema) -> dict[str, list[str]]:
    return {
        name: sorted(member.name for member in graphql_schema.get_possible_types(abstract))
        for name, abstract in sorted(graphql_schema.type_map.items())
        if isinstance(abstract, GraphQLInterfaceType | GraphQLUnionType) and not name.startswith("__")
    }


def printed() -> str:
    return json.dumps(possible_types(schema._schema), indent=2) + "\n"


if __name__ == "__main__":
    print(printed(), end="")
