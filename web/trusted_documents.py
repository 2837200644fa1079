"""Trusted (persisted) documents: the operations the admin frontend is known to send, by SHA-256.

The manifest maps each document's SHA-256 (hex) to its text. The Tools page's build writes it
(`npm run build --prefix frontend` → frontend/trusted-documents.json, from GraphQL Code Generator's
persisted documents); the server loads it at start-up. A request names one with
`documentId: "sha256:<hex>"` (GraphQL over HTTP) or Apollo's `extensions.persistedQuery.sha256Hash`,
instead of sending the text. With TRUSTED_DOCUMENTS_ONLY_FOR_PEOPLE, administrators (and anonymous
callers) may send nothing else; API keys (partner tooling) and staff (GraphiQL) may still send ad-hoc
documents within the limits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse


class DocumentError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class TrustedDocuments:
    def __init__(self, documents: Mapping[str, str]) -> None:
        self.documents = dict(documents)
        # The operations' names: the only ones a metric label may carry (callers choose every other).
        self.operation_names = frozenset(
            definition.name.value
            for document in self.documents.values()
            for definition in parse(document).definitions
            if isinstance(definition, OperationDefinitionNode) and definition.name is not None
        )

    @classmethod
    def load(cls, path: Path | None) -> TrustedDocuments:
        if path is None or not path.exists():
            return cls({})
        manifest = json.loads(path.read_text())
        for document_hash, document in manifest.items():
            if digest(document) != document_hash:
                raise ValueError(f"{path}: the document under {document_hash[:12]}… does not hash to it")
        return cls(manifest)

    def resolve(self, document_id: str) -> str:
        document_hash = document_id.removeprefix("sha256:")
        document = self.documents.get(document_hash)
        if document is None:
            raise DocumentError(
                f"No trusted document {document_id[:80]!r}: the frontend and the server disagree on "
                "their operations; deploy the frontend's manifest to the server.",
                "PERSISTED_DOCUMENT_NOT_FOUND",
            )
        return document


def document_id_of(body: Mapping[str, Any]) -> str | None:
    """The id a request names its document by, in either convention."""
    named = body.get("documentId")
    if isinstance(named, str):
        return named
    extensions = body.get("extensions")
    if isinstance(extensions, str):  # GET sends extensions as a JSON string
        try:
            extensions = json.loads(extensions)
        except ValueError:
            return None
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    value = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return value if isinstance(value, str) else None
