"""The GraphQL endpoint: Strawberry's aiohttp view, with the per-request context."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aiohttp import web
from strawberry.aiohttp.views import GraphQLView as StrawberryView

from access.principal import SYSTEM
from db.loaders import Loaders
from db.pool import CountingDatabase, StatementCounter
from schema.context import Context
from web.app_keys import DATABASE, SETTINGS


def utc_now() -> datetime:
    return datetime.now(UTC)


class GraphQLView(StrawberryView[Context, None]):
    async def get_context(self, request: web.Request, response: web.StreamResponse) -> Context:
        settings = request.app[SETTINGS]
        principal = SYSTEM  # every caller reads everything until authentication lands
        statements = StatementCounter()
        db = CountingDatabase(request.app[DATABASE], statements)
        return Context(
            settings=settings,
            principal=principal,
            db=db,
            loaders=Loaders(db, principal.scope),
            statements=statements,
            request_id=request.headers.get("X-Request-Id") or uuid.uuid4().hex,
            client_address=request.remote,
            now=utc_now,
        )
