"""Apollo's automatic persisted queries (APQ): documents a caller registered by their SHA-256.

Apollo's PersistedQueryLink first sends only a document's hash. A hash this instance does not know is
answered `PersistedQueryNotFound` (`extensions.code` PERSISTED_QUERY_NOT_FOUND, which Apollo Client
recognises); the client then sends the text with the hash, the request runs as any ad-hoc document
does, and once the document has been admitted (parsed, validated, within every limit and priced: a
refused document is never registered) it is registered for that caller. Only callers who may send
ad-hoc documents get this; for others an unknown hash is refused (web/documents.py).

Bounded, so that no caller can fill memory with them: each caller's registrations are its own (another
caller's hash is not found, and reveals nothing), at most APQ_MAX_DOCUMENTS_PER_CALLER each; at most
APQ_MAX_DOCUMENTS and APQ_MAX_BYTES of text in all; the least recently used go first. A forgotten
document costs its client one more round trip, nothing else. Per instance, like any cache.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from settings import Settings

# A registration's bookkeeping beside its text (keys, the ordered dict's links), counted against the bytes.
ENTRY_OVERHEAD = 200


@dataclass(frozen=True, slots=True)
class Registration:
    """A document to register once the request that sent it has been admitted."""

    caller: str
    hash: str
    text: str


class PersistedQueries:
    def __init__(self, max_documents: int, max_per_caller: int, max_bytes: int) -> None:
        self.max_documents = max_documents
        self.max_per_caller = max_per_caller
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.per_caller: dict[str, OrderedDict[str, None]] = {}
        self.bytes = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> PersistedQueries:
        return cls(settings.apq_max_documents, settings.apq_max_documents_per_caller, settings.apq_max_bytes)

    def find(self, caller: str, document_hash: str) -> str | None:
        text = self.entries.get((caller, document_hash))
        if text is not None:
            self.entries.move_to_end((caller, document_hash))
            self.per_caller[caller].move_to_end(document_hash)
        return text

    def register(self, registration: Registration) -> None:
        caller, document_hash, text = registration.caller, registration.hash, registration.text
        size = _size(text)
        if size > self.max_bytes or self.max_documents < 1 or self.max_per_caller < 1:
            return
        if self.find(caller, document_hash) is not None:
            return
        while len(mine := self.per_caller.get(caller, OrderedDict[str, None]())) >= self.max_per_caller:
            self._forget((caller, next(iter(mine))))
        self.entries[(caller, document_hash)] = text
        self.per_caller.setdefault(caller, OrderedDict())[document_hash] = None
        self.bytes += size
        while len(self.entries) > self.max_documents or self.bytes > self.max_bytes:
            self._forget(next(iter(self.entries)))

    def __len__(self) -> int:
        return len(self.entries)

    def _forget(self, key: tuple[str, str]) -> None:
        caller, document_hash = key
        text = self.entries.pop(key)
        self.bytes -= _size(text)
        mine = self.per_caller[caller]
        del mine[document_hash]
        if not mine:
            del self.per_caller[caller]


def _size(text: str) -> int:
    return len(text.encode()) + ENTRY_OVERHEAD
