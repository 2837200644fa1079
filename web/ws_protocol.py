"""What a graphql-transport-ws message from a client must look like, checked before it is acted on.

Any text frame may arrive: one that is not JSON, not an object, of an unknown type, or whose fields
have the wrong types is a protocol error, and the connection is closed with 4400 and the reason. The
protocol: https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md
"""

from __future__ import annotations

from typing import Any

import orjson

from web.json_limits import MAX_JSON_DEPTH, nesting

MAX_ID_LENGTH = 128
OPTIONAL_OBJECT = (dict, type(None))
OPTIONAL_TEXT = (str, type(None))


class MalformedMessage(ValueError):
    """The frame is not a message of this protocol; the text says why (a close frame's reason)."""


def decode(text: str | bytes) -> dict[str, Any]:
    """The message a text frame carries, checked; MalformedMessage otherwise."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise MalformedMessage("A message must be valid JSON.") from None
    if not isinstance(message, dict):
        raise MalformedMessage("A message is a JSON object with a `type`.")
    if nesting(message) > MAX_JSON_DEPTH:
        raise MalformedMessage(f"A message may nest at most {MAX_JSON_DEPTH} levels.")
    problem = _problem(message)
    if problem is not None:
        raise MalformedMessage(problem)
    return message


def _problem(message: dict[str, Any]) -> str | None:
    kind = message.get("type")
    if not isinstance(kind, str):
        return "A message's `type` is a string."
    if kind in ("connection_init", "ping", "pong"):
        return _optional_object(message, "payload", kind)
    if kind == "subscribe":
        return _id_problem(message) or _subscribe_payload_problem(message.get("payload"))
    if kind == "complete":
        return _id_problem(message)
    return f"Unknown message type {kind[:40]!r}."


def _optional_object(message: dict[str, Any], name: str, kind: str) -> str | None:
    if not isinstance(message.get(name), OPTIONAL_OBJECT):
        return f"A {kind} message's `{name}` is an object, if present."
    return None


def _id_problem(message: dict[str, Any]) -> str | None:
    operation_id = message.get("id")
    if not isinstance(operation_id, str) or not 0 < len(operation_id) <= MAX_ID_LENGTH:
        return f"A {message['type']} message's `id` is a string of 1 to {MAX_ID_LENGTH} characters."
    return None


def _subscribe_payload_problem(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "A subscribe message's `payload` is an object."
    expected = {
        "query": OPTIONAL_TEXT,
        "operationName": OPTIONAL_TEXT,
        "variables": OPTIONAL_OBJECT,
        "extensions": OPTIONAL_OBJECT,
    }
    for name, types in expected.items():
        if not isinstance(payload.get(name), types):
            kind = "a string" if types is OPTIONAL_TEXT else "an object"
            return f"A subscribe payload's `{name}` is {kind}, if present."
    return None
