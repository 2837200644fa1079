"""The workloads: which question each asks, and the GraphQL request that asks it of our server.

The nested shape is the issue's: one organization, its carriers, each carrier's first 20 API keys and
its enablements. The peer asks the same questions in its own schema (bench/peer.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from bench.dataset import Dataset, Shape
from resolvers.global_ids import to_global_id

KEYS_PER_CARRIER_PAGE = 20


class Credential(enum.Enum):
    """What the request authenticates with (names, not secrets)."""

    STAFF_TOKEN = "staff token"  # noqa: S105
    API_KEY = "API key"


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    # "small": one carrier by code; "nested": an organization's carriers with keys and enablements.
    kind: str
    credential: Credential
    organization_size: int | None = None
    # Carriers per request (the page size), and whether the page starts in the middle of the list.
    first: int | None = None
    from_middle: bool = False
    main: bool = False
    # The peer has no API keys: the key workload is ours alone.
    peer: bool = True
    # Asks for a compressed answer (Accept-Encoding); ours alone, to set its cost beside the plain one.
    accept_encoding: str | None = None
    # Compared with the workload before it (the key with the token, gzip with plain): its rounds run
    # interleaved with that one's, so that a drift of the machine hits both alike.
    beside: bool = False

    @property
    def expected_carriers(self) -> int | None:
        return self.first if self.kind == "nested" else None


def workloads(shape: Shape) -> list[Workload]:
    """In the order of the table: the small query (token, then key), nested by size (the main one also
    asking for gzip), the middle page."""
    items = [
        Workload("small: one carrier by code", "small", Credential.STAFF_TOKEN),
        Workload("small, with an API key", "small", Credential.API_KEY, peer=False, beside=True),
    ]
    for size in sorted(shape.nested_sizes):
        main = size == shape.main_size
        label = f"nested: org of {size} carriers" + (" (main)" if main else "")
        items.append(Workload(label, "nested", Credential.STAFF_TOKEN, size, first=size, main=main))
        if main:
            items.append(
                Workload(
                    f"{label}, gzip asked",
                    "nested",
                    Credential.STAFF_TOKEN,
                    size,
                    first=size,
                    peer=False,
                    accept_encoding="gzip",
                    beside=True,
                )
            )
    items.append(
        Workload(
            f"page of {shape.page_size} in the middle of {shape.paged_size} carriers",
            "nested",
            Credential.STAFF_TOKEN,
            shape.paged_size,
            first=shape.page_size,
            from_middle=True,
        )
    )
    return items


SMALL_QUERY = """
query CarrierByCode($code: String!) {
  carrier(code: $code) { id code name version updatedAt }
}
"""

NESTED_QUERY = """
query OrganizationCarriers($id: ID!, $first: Int!, $after: String) {
  organization(id: $id) {
    id
    name
    carriers(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        code
        name
        apiKeys(first: KEYS_PER_PAGE) { nodes { hint status scopes expiresAt } }
        enablements { feature { key } state effective source }
      }
    }
  }
}
""".replace("KEYS_PER_PAGE", str(KEYS_PER_CARRIER_PAGE))


def our_headers(workload: Workload) -> dict[str, str]:
    """Headers our server gets for `workload` besides Content-Type and Authorization."""
    return {"Accept-Encoding": workload.accept_encoding} if workload.accept_encoding else {}


def our_request(workload: Workload, dataset: Dataset) -> dict[str, Any]:
    """The JSON body of the request our server gets for `workload`."""
    if workload.kind == "small":
        return {
            "query": SMALL_QUERY,
            "operationName": "CarrierByCode",
            "variables": {"code": dataset.small_carrier_code},
        }
    assert workload.organization_size is not None
    organization_id = dataset.organizations[workload.organization_size]
    return {
        "query": NESTED_QUERY,
        "operationName": "OrganizationCarriers",
        "variables": {
            "id": str(to_global_id("Organization", organization_id)),
            "first": workload.first,
            "after": dataset.middle_cursor if workload.from_middle else None,
        },
    }


def check_ours(workload: Workload, body: dict[str, Any]) -> None:
    """Refuse to benchmark an error: the response must carry the data the workload asks for."""
    if body.get("errors") or not isinstance(body.get("data"), dict):
        raise RuntimeError(f"{workload.name}: our server answered with errors: {str(body)[:800]}")
    data = body["data"]
    if workload.kind == "small":
        if not data.get("carrier"):
            raise RuntimeError(f"{workload.name}: the carrier was not found: {str(body)[:400]}")
        return
    organization = data.get("organization")
    if not organization:
        raise RuntimeError(f"{workload.name}: the organization was not found: {str(body)[:400]}")
    carriers = organization["carriers"]["nodes"]
    if len(carriers) != workload.expected_carriers:
        raise RuntimeError(
            f"{workload.name}: expected {workload.expected_carriers} carriers, got {len(carriers)}"
        )
    if not carriers[0]["apiKeys"]["nodes"] or not carriers[0]["enablements"]:
        raise RuntimeError(f"{workload.name}: carriers came without keys or enablements")
