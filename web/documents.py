"""Which document a request runs, by the same rules over HTTP (web/view.py) and WebSocket
(web/subscriptions.py): its own text, the trusted document it names, or one it registered earlier
(Apollo's automatic persisted queries, web/persisted_queries.py).

Who may send what, with TRUSTED_DOCUMENTS_ONLY_FOR_PEOPLE (the production default): administrators and
anonymous callers only trusted documents, named by id (with or without their text); API keys (partner
tooling) and staff (GraphiQL) also ad-hoc documents within the limits, and Apollo's register-on-miss.
Without it, everyone may send ad-hoc documents.

- An id of a trusted document runs that document. Text sent beside it must be the same document
  (compared parsed, web/trusted_documents.py), else the request is refused.
- An unknown id, from a caller who may send ad-hoc documents and in Apollo's convention: the document
  that caller registered under it, else `PersistedQueryNotFound`; with the text beside it, the text
  (whose SHA-256 must be the id) runs and is registered once admitted. From anyone else, or as a
  `documentId`: PERSISTED_DOCUMENT_NOT_FOUND.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from access.principal import Principal, PrincipalKind
from settings import Settings
from web.app_keys import PERSISTED_QUERIES, SETTINGS, TRUSTED_DOCUMENTS
from web.persisted_queries import Registration
from web.trusted_documents import DocumentError, DocumentId, digest

# Apollo Client (and urql's persistedExchange) send the text on a miss when they see this message or code.
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
TRUSTED_ONLY = (
    "This API accepts only the admin frontend's trusted documents from people: send a documentId "
    "(partner integrations use an API key)."
)


@dataclass(frozen=True, slots=True)
class Chosen:
    """The text the request runs, and what to register once it is admitted (Apollo's miss)."""

    text: str | None
    registration: Registration | None = None


def may_send_ad_hoc(settings: Settings, principal: Principal) -> bool:
    """Administrators and anonymous callers may send only trusted documents, when so configured."""
    return not settings.trusted_documents_only_for_people or principal.kind not in (
        PrincipalKind.ADMIN,
        PrincipalKind.ANONYMOUS,
    )


def caller_of(principal: Principal) -> str:
    return f"{principal.kind.value}:{principal.id}"


async def document_for(
    app: web.Application, principal: Principal, document_id: DocumentId | None, query: str | None
) -> Chosen:
    """The document the request runs; a DocumentError says why none."""
    settings = app[SETTINGS]
    ad_hoc = may_send_ad_hoc(settings, principal)
    if document_id is None:
        if not ad_hoc:
            raise DocumentError(TRUSTED_ONLY, "PERSISTED_DOCUMENT_REQUIRED")
        return Chosen(query)
    trusted = app[TRUSTED_DOCUMENTS].find(document_id.hash)
    if trusted is not None:
        if query is not None and not await _same(app, trusted, query):
            raise DocumentError(
                "The query text is not the document its id names (compared as documents: another "
                "field, argument or value differs). Send the id alone, or the document's own text.",
                "BAD_REQUEST",
            )
        return Chosen(trusted)
    if not (ad_hoc and document_id.automatic):
        raise DocumentError(_unknown(document_id, ad_hoc), "PERSISTED_DOCUMENT_NOT_FOUND")
    caller = caller_of(principal)
    if query is None:
        registered = app[PERSISTED_QUERIES].find(caller, document_id.hash)
        if registered is None:
            raise DocumentError(NOT_FOUND_MESSAGE, NOT_FOUND_CODE)
        return Chosen(registered)
    if digest(query) != document_id.hash:
        raise DocumentError(
            "The persistedQuery's sha256Hash is not the SHA-256 of the query sent with it.", "BAD_REQUEST"
        )
    return Chosen(query, Registration(caller, document_id.hash, query))


def admitted(app: web.Application, chosen: Chosen) -> None:
    """The request's document passed every check: a document it sent on Apollo's miss is registered."""
    if chosen.registration is not None:
        app[PERSISTED_QUERIES].register(chosen.registration)


async def _same(app: web.Application, trusted: str, query: str) -> bool:
    if query == trusted:
        return True
    documents, max_tokens = app[TRUSTED_DOCUMENTS], app[SETTINGS].max_tokens
    # Parsing a caller's text: off the event loop, as every new document is (schema/request_rules.py).
    return await asyncio.to_thread(documents.same, trusted, query, max_tokens)


def _unknown(document_id: DocumentId, ad_hoc: bool) -> str:
    shown = document_id.given[:80]
    if ad_hoc:
        return (
            f"No trusted document {shown!r}: the frontend and the server disagree on their operations; "
            "deploy the frontend's manifest to the server (or send the text)."
        )
    return (
        f"No trusted document {shown!r}. People may send only the admin frontend's trusted documents "
        "(frontend/trusted-documents.json), named by their SHA-256 or Apollo Client's hash of them; "
        "partner integrations use an API key."
    )
