"""Who did something: shown on enablements, keys and activity events."""

from __future__ import annotations

import strawberry

from access.principal import PrincipalKind
from schema.enums import ActorKind


@strawberry.type(description="A person, an API key, or the system, as recorded when it acted.")
class Actor:
    kind: ActorKind = strawberry.field(description="What kind of caller acted.")
    id: str | None = strawberry.field(
        description="The person's subject at the identity provider, or the key's id."
    )
    name: str | None = strawberry.field(description="The person's name, or the key's description.")

    @classmethod
    def of(cls, kind: str | None, actor_id: str | None, name: str | None) -> Actor | None:
        if kind is None:
            return None
        return cls(kind=KINDS[kind], id=actor_id, name=name)


KINDS = {kind.value: kind for kind in PrincipalKind}
