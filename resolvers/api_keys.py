"""Reading API keys (scoped by the loaders): one by id, lists filtered and ordered, refused uses."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from access.principal import Scope
from context import Context
from db import api_keys
from db.api_keys import ApiKeyRow, KeyFilter, KeyKind, KeyListing, KeyOrder, KeyStatus
from db.key_refusals import RefusalRow
from db.pagination import Page
from db.search import like_pattern
from resolvers import filters, key_policy
from resolvers.errors import BadUserInput
from resolvers.loaded import by_id
from resolvers.pages import PageArgs, page_request, page_size_refusal


async def api_key_by_row_id(context: Context, key_id: uuid.UUID | None) -> ApiKeyRow | None:
    return await by_id(context.loaders.api_key_by_id, key_id)


async def refusals_of(context: Context, key_id: uuid.UUID, first: int) -> list[RefusalRow]:
    """The key's latest refused uses, newest first (a page: at most MAX_PAGE_SIZE)."""
    refusal = page_size_refusal(context.settings, "first", first)
    if refusal is not None:
        raise BadUserInput(refusal, argument="first", limit=context.settings.max_page_size)
    rows: list[RefusalRow] = await context.loaders.refusals_by_key_id.load((key_id, first))
    return rows


MAX_EXPIRING_WITHIN_DAYS = 3650


def key_listing(
    context: Context,
    *,
    status: KeyStatus | None = None,
    search: str | None = None,
    expiring_within_days: int | None = None,
    scope: Scope | None = None,
    unused_since: datetime | None = None,
    kind: KeyKind | None = None,
    meets_policy: bool | None = None,
    order: KeyOrder = KeyOrder.CREATED_AT,
) -> KeyListing:
    """A list's filter and order from its arguments, each checked."""
    if expiring_within_days is not None and not 0 <= expiring_within_days <= MAX_EXPIRING_WITHIN_DAYS:
        message = f"`expiringWithinDays` must be between 0 and {MAX_EXPIRING_WITHIN_DAYS}."
        raise BadUserInput(message, argument="expiringWithinDays")
    expiring_by = (
        context.now() + timedelta(days=expiring_within_days) if expiring_within_days is not None else None
    )
    where = KeyFilter(
        status=status,
        search=like_pattern(filters.text(search, "search")),
        expiring_by=expiring_by,
        scope=scope.value if scope else None,
        unused_since=filters.instant(unused_since, "unusedSince"),
        kind=kind,
        policy=key_policy.policy_check(context.settings, meets=meets_policy)
        if meets_policy is not None
        else None,
    )
    return KeyListing(where, order)


def key_list_name(listing: KeyListing, descending: bool) -> str:
    """The cursor list of this order: a cursor of another order cannot be used here."""
    return f"apiKeys:{listing.order.name}:{'desc' if descending else 'asc'}"


async def list_api_keys(
    context: Context,
    listing: KeyListing,
    *,
    descending: bool,
    page_args: PageArgs,
    columns: frozenset[str] | None,
) -> Page[ApiKeyRow]:
    """One page of every key in the caller's reach (staff: of every carrier)."""
    name = key_list_name(listing, descending)
    page = page_request(context, name, page_args, descending=descending)
    async with context.db.acquire() as conn:
        return await api_keys.page_in_reach(
            conn,
            reach=context.principal.reach,
            where=listing.where,
            order=listing.order,
            now=context.now(),
            page=page,
            columns=columns,
        )
