"""Relay-style global ids: base64 of "<Type>:<uuid>", opaque to clients, decoded back here."""

from __future__ import annotations

import base64
import binascii
import uuid

import strawberry


def to_global_id(type_name: str, raw_id: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{raw_id}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, uuid.UUID] | None:
    """(type name, uuid), or None for anything that is not an id this server issued."""
    try:
        type_name, _, raw = base64.b64decode(global_id.encode(), validate=True).decode().partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
