"""Trusted (persisted) documents: the operations the admin frontend is known to send, by SHA-256.

The manifest maps each document's SHA-256 (hex) to its text. The Tools page's build writes it
(`npm run build --prefix frontend` → frontend/trusted-documents.json, from GraphQL Code Generator's
persisted documents); the server loads it at start-up. A request names one with
`documentId: "sha256:<hex>"` (GraphQL over HTTP) or Apollo's `extensions.persistedQuery.sha256Hash`,
instead of sending the text. Each document is found by the manifest's hash and by the hashes Apollo
Client computes of its own printing (web/client_printing.py), so Apollo needs no custom hash.

A request that sends the text beside the id (gql does) is compared as a document, not byte by byte:
the same document parsed and printed canonically (whitespace, commas, comments and string quoting do
not count; another field, argument, alias or value does).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from web.client_printing import apollo_printings


class DocumentError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class DocumentId:
    """How a request names its document: the id as sent, its hash, and whether it is Apollo's automatic
    persisted query (`extensions.persistedQuery`), which may register a document on a miss."""

    given: str
    hash: str
    automatic: bool


class TrustedDocuments:
    def __init__(self, documents: Mapping[str, str]) -> None:
        self.documents = dict(documents)
        parsed = {document_hash: parse(text) for document_hash, text in self.documents.items()}
        # The operations' names: the only ones a metric label may carry (callers choose every other).
        self.operation_names = frozenset(
            definition.name.value
            for document in parsed.values()
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode) and definition.name is not None
        )
        # Every hash a client may name a document by: the manifest's, and Apollo's of its own printings.
        self.by_hash: dict[str, str] = dict(self.documents)
        for document in parsed.values():
            for printed in apollo_printings(document):
                self.by_hash.setdefault(digest(printed), printed)
        self.canonical = {text: canonical(parse(text)) for text in set(self.by_hash.values())}

    @classmethod
    def load(cls, path: Path | None) -> TrustedDocuments:
        if path is None or not path.exists():
            return cls({})
        try:
            return _from_manifest(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None

    def find(self, document_hash: str) -> str | None:
        """The trusted document with this hash (the manifest's, or Apollo's), if any."""
        return self.by_hash.get(document_hash)

    def resolve(self, document_id: str) -> str:
        document = self.find(document_id.removeprefix("sha256:"))
        if document is None:
            raise DocumentError(
                f"No trusted document {document_id[:80]!r}: the frontend and the server disagree on "
                "their operations; deploy the frontend's manifest to the server.",
                "PERSISTED_DOCUMENT_NOT_FOUND",
            )
        return document

    def same(self, trusted: str, text: str, max_tokens: int) -> bool:
        """Whether `text` is the trusted document `trusted`, as a document (within MAX_TOKENS)."""
        if text == trusted:
            return True
        try:
            document = parse(text, no_location=True, max_tokens=max_tokens)
        except GraphQLError:
            return False
        return canonical(document) == self.canonical[trusted]


@functools.lru_cache(maxsize=4)
def _from_manifest(text: str) -> TrustedDocuments:
    """The documents of a manifest's text, checked; the same text gives the same (immutable) object, so
    that each app of a test run does not print every document again."""
    manifest = json.loads(text)
    for document_hash, document in manifest.items():
        if digest(document) != document_hash:
            raise ValueError(f"the document under {document_hash[:12]}… does not hash to it")
    return TrustedDocuments(manifest)


class _QuotedStrings(Visitor):
    """A block string and a quoted one with the same value are the same value."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        return StringValueNode(value=node.value, block=False) if node.block else None


def canonical(document: DocumentNode) -> str:
    """The document printed one way: what is left is what it asks (in its order: a mutation's fields
    run in the order written)."""
    quoted: DocumentNode = visit(document, _QuotedStrings())
    return print_ast(quoted)


def document_id_of(body: Mapping[str, Any]) -> DocumentId | None:
    """The id a request names its document by, in either convention."""
    named = body.get("documentId")
    if isinstance(named, str):
        return DocumentId(named, named.removeprefix("sha256:"), automatic=False)
    extensions = body.get("extensions")
    if isinstance(extensions, str):  # GET sends extensions as a JSON string
        try:
            extensions = json.loads(extensions)
        except ValueError:
            return None
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    value = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return DocumentId(value, value, automatic=True) if isinstance(value, str) else None
