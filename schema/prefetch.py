"""A page of carriers loads, in one go, what its carriers' fields will ask for: each carrier's first page
of keys and its enablements, as the query selects them (read from `info.selected_fields`, kept per
operation by schema/selection.selected).

Without it, each carrier's field is its own resolver call, coroutine and dataloader load (the loader
still batches the SQL): for 50 carriers, a hundred of each. With it, those fields answer from memory
(Carrier.api_keys, Carrier.enablements), and only the resolver call remains.

What is prefetched is kept on each carrier by the field's response key (in one document, a response key
means one set of arguments and one merged selection). The fast executor takes such an answer as the
field's own and does not call its resolver; graphql-core's calls it, and it answers from the same page.
So a field is prefetched only where its own access rule admits the caller (the rule is the one its
resolver enforces, read from the built schema; a rule that depends on the object is never taken as
given), only in the common shape (page arguments alone for `apiKeys`, none for `enablements`), and not
when a page argument is refused: each carrier's field then loads, or refuses, as it always does.
Prefetching never changes an answer or an error, only how soon the data is in memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from context import Context
from db.api_keys import KeyListing
from resolvers import carriers as resolve
from resolvers.errors import ApiError
from resolvers.pages import PageArgs
from schema.connection import connection
from schema.enablement import enablements, reads_updates
from schema.enforcement import rule_of
from schema.selection import connection_items, connection_nodes, fields_of, list_items, selected

if TYPE_CHECKING:
    from schema.carrier import Carrier

PAGE_ARGUMENTS = ("first", "after", "last", "before")


async def prefetch_children(info: Info[Context, Any], carriers: Sequence[Carrier]) -> None:
    """Load what the page's carriers' fields select, for all of them, and keep it on each carrier."""
    if not carriers:
        return
    groups: dict[str, list[SelectedField]] = {}
    for field in connection_nodes(fields_of(selected(info))):
        groups.setdefault(field.alias or field.name, []).append(field)
    for response_key, selections in groups.items():
        name = selections[0].name
        prefetch = PREFETCHED.get(name)
        if prefetch is None or any(field.name != name for field in selections):
            continue
        if _admitted(info, f"Carrier.{name}"):
            await prefetch(info.context, carriers, response_key, selections)


def _admitted(info: Info[Context, Any], coordinate: str) -> bool:
    rule = rule_of(info.schema._schema, coordinate)
    return not rule.of_event and rule.admits(info.context.principal)


async def _api_keys(
    context: Context, carriers: Sequence[Carrier], response_key: str, selections: list[SelectedField]
) -> None:
    from schema.api_key import ApiKey, api_key_columns, api_key_cursor  # mutual reference

    page_args = _page_arguments(selections)
    if page_args is None:
        return
    listing = KeyListing()
    try:
        pages = await resolve.api_keys_of_carriers(
            context,
            [carrier.row_id for carrier in carriers],
            listing,
            descending=False,
            page_args=page_args,
            columns=api_key_columns(connection_items(selections), listing.order),
        )
    except ApiError:
        return  # a bad page argument: each carrier's field reports it where it belongs
    views = ApiKey.views(context.now())  # every carrier's keys as of one time
    cursor = api_key_cursor(listing, descending=False)
    for carrier, page in zip(carriers, pages, strict=True):
        carrier.prefetched[response_key] = connection(page, views, cursor)


async def _enablements(
    context: Context, carriers: Sequence[Carrier], response_key: str, selections: list[SelectedField]
) -> None:
    if any(field.arguments for field in selections):
        return
    found = await resolve.enablements_of_carriers(
        context, [carrier.row_id for carrier in carriers], with_updates=reads_updates(list_items(selections))
    )
    for carrier, owner in zip(carriers, found, strict=True):
        carrier.prefetched[response_key] = enablements(context, owner)


def _page_arguments(selections: Iterable[SelectedField]) -> PageArgs | None:
    """The page arguments when every selection gives page arguments alone, the same ones.
    Strawberry's selections carry argument values as written: a literal Int is its text."""
    found: set[PageArgs] = set()
    for field in selections:
        if set(field.arguments) - set(PAGE_ARGUMENTS):
            return None
        first, after, last, before = (field.arguments.get(name) for name in PAGE_ARGUMENTS)
        try:
            found.add(PageArgs(_int(first), _text(after), _int(last), _text(before)))
        except ValueError:
            return None
    return found.pop() if len(found) == 1 else None


def _int(value: Any) -> int | None:
    if value is None or type(value) is int:
        return value
    if type(value) is str:
        return int(value)
    raise ValueError(value)


def _text(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    raise ValueError(value)


Prefetch = Callable[[Context, Sequence["Carrier"], str, list[SelectedField]], Awaitable[None]]
# The carrier fields prefetched, by name.
PREFETCHED: dict[str, Prefetch] = {"apiKeys": _api_keys, "enablements": _enablements}
