"""Reading the activity log (scoped: a caller sees events of the carriers in reach)."""

from __future__ import annotations

from dataclasses import replace

from context import Context
from db import activity
from db.activity import ActivityFilter, ActivityRow
from db.pagination import Page
from resolvers import filters
from resolvers.pages import PageArgs, page_request


def checked(where: ActivityFilter) -> ActivityFilter:
    """The filter's text and times as they may reach SQL (BAD_USER_INPUT naming the argument)."""
    return replace(
        where,
        actor_id=filters.text(where.actor_id, "actorId"),
        action=filters.text(where.action, "action"),
        since=filters.instant(where.since, "since"),
        until=filters.instant(where.until, "until"),
    )


async def list_activity(context: Context, where: ActivityFilter, page_args: PageArgs) -> Page[ActivityRow]:
    page = page_request(context, "activity", page_args)
    async with context.db.acquire() as conn:
        return await activity.page(conn, reach=context.principal.reach, where=checked(where), page=page)
