"""The peer: PostGraphile v5 (amber preset) serving the same database, asked the same questions.

It is installed from the npm registry into a scratch directory outside the repository (never
committed), together with Node 22 from the npm package `node` (PostGraphile 5 needs Node 22; the
machine's own Node may be older). Its field names are discovered by introspection at start-up, so
the queries follow whatever its inflection makes of our tables.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import processes
from bench.dataset import Dataset
from bench.processes import Server
from bench.workloads import KEYS_PER_CARRIER_PAGE, Workload

DEFAULT_DIRECTORY = Path("/tmp/carrier-admin-bench-peer")  # noqa: S108 - a scratch directory, on purpose
INSTALL_TIMEOUT_SECONDS = 600
START_TIMEOUT_SECONDS = 60.0

PACKAGE_JSON = {
    "name": "carrier-admin-bench-peer",
    "private": True,
    "type": "module",
    "description": "PostGraphile for carrier-admin's benchmark (bench/peer.py); scratch, not committed.",
    "dependencies": {"node": "^22", "postgraphile": "^5"},
}

# Read by PostGraphile's CLI (-C); the connection string and port come from the environment.
CONFIG = """\
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({ connectionString: process.env.BENCH_PEER_DATABASE_URL, schemas: ["public"] }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.BENCH_PEER_PORT),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};
"""

INTROSPECTION = """
query PeerSchema {
  __schema {
    types {
      name
      fields { name args { name type { ...T } } type { ...T } }
      inputFields { name }
      enumValues { name }
    }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""


class PeerUnavailableError(RuntimeError):
    """The peer cannot be installed, started or understood; the message says why."""


def install(directory: Path) -> tuple[Path, Path]:
    """(node executable, PostGraphile's CLI script), installing them with npm first if needed."""
    directory.mkdir(parents=True, exist_ok=True)
    package_json = json.dumps(PACKAGE_JSON, indent=2) + "\n"
    package_path = directory / "package.json"
    node = directory / "node_modules" / "node" / "bin" / "node"
    cli = directory / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
    (directory / "graphile.config.mjs").write_text(CONFIG)
    if node.exists() and cli.exists() and package_path.exists() and package_path.read_text() == package_json:
        return node, cli
    npm = shutil.which("npm")
    if npm is None:
        raise PeerUnavailableError("npm is not installed, so PostGraphile cannot be installed")
    package_path.write_text(package_json)
    print(f"installing PostGraphile 5 and Node 22 from npm into {directory} ...", flush=True)
    try:
        completed = subprocess.run(  # noqa: S603 - npm with fixed arguments
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PeerUnavailableError(f"npm install took longer than {INSTALL_TIMEOUT_SECONDS} s") from None
    if completed.returncode != 0 or not node.exists() or not cli.exists():
        raise PeerUnavailableError(f"npm install failed: {(completed.stderr or completed.stdout)[-1500:]}")
    return node, cli


def start(directory: Path, database_url: str, *, core: int | None, log_dir: Path) -> Server:
    node, cli = install(directory)
    port = processes.free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "BENCH_PEER_DATABASE_URL": database_url,
        "BENCH_PEER_PORT": str(port),
        "NODE_ENV": "production",
        "GRAPHILE_ENV": "production",
    }
    command = processes.pinned([str(node), str(cli), "-C", "graphile.config.mjs"], core)
    server = processes.start("peer", command, env=env, cwd=directory, port=port, log_dir=log_dir)
    try:
        processes.wait_until_ready(server, lambda: _answers(server), START_TIMEOUT_SECONDS)
    except RuntimeError as error:
        processes.stop(server)
        raise PeerUnavailableError(str(error)) from None
    return server


def _answers(server: Server) -> bool:
    status, _ = post(server, {"query": "{ __typename }"})
    return status == 200


def post(server: Server, body: Mapping[str, Any]) -> tuple[int, bytes]:
    return processes.request(
        server.port,
        "POST",
        "/graphql",
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )


def post_json(server: Server, body: Mapping[str, Any]) -> dict[str, Any]:
    status, raw = post(server, body)
    decoded: dict[str, Any] = json.loads(raw)
    if status != 200 or decoded.get("errors"):
        raise PeerUnavailableError(f"the peer answered {status}: {raw[:800]!r}")
    return decoded


# Introspection, reduced to what choosing fields needs.


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    type_name: str  # the named type, wrappers removed
    args: dict[str, str]  # argument name -> its type as written in a variable definition


@dataclass(frozen=True, slots=True)
class TypeInfo:
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    input_fields: frozenset[str] = frozenset()
    enum_values: tuple[str, ...] = ()


def _named(type_ref: Mapping[str, Any]) -> str:
    while type_ref.get("name") is None:
        type_ref = type_ref["ofType"]
    return str(type_ref["name"])


def _written(type_ref: Mapping[str, Any]) -> str:
    if type_ref["kind"] == "NON_NULL":
        return _written(type_ref["ofType"]) + "!"
    if type_ref["kind"] == "LIST":
        return f"[{_written(type_ref['ofType'])}]"
    return str(type_ref["name"])


def parse_schema(document: Mapping[str, Any]) -> dict[str, TypeInfo]:
    types: dict[str, TypeInfo] = {}
    for item in document["data"]["__schema"]["types"]:
        fields = {
            f["name"]: FieldInfo(
                name=f["name"],
                type_name=_named(f["type"]),
                args={a["name"]: _written(a["type"]) for a in f["args"]},
            )
            for f in item.get("fields") or []
        }
        types[item["name"]] = TypeInfo(
            fields=fields,
            input_fields=frozenset(i["name"] for i in item.get("inputFields") or []),
            enum_values=tuple(e["name"] for e in item.get("enumValues") or []),
        )
    return types


class Names:
    """The peer's names for what our nested query reads, found by type rather than guessed."""

    def __init__(self, schema: dict[str, TypeInfo]) -> None:
        self.schema = schema
        self.organization = self._lookup_by_uuid("Query", "Organization")
        self.carriers = self._connection("Organization", "Carrier")
        self.api_keys = self._connection("Carrier", "ApiKey")
        self.enablements = self._connection("Carrier", "CarrierEnablement")
        self.feature = self._reference("CarrierEnablement", "Feature")
        self.carrier_list = self._connection("Query", "Carrier", needs=("condition",))
        for type_name, names in (
            ("Organization", ("id", "name")),
            ("Carrier", ("id", "code", "name", "version", "updatedAt")),
            ("ApiKey", ("hint", "scopes", "expiresAt", "revokedAt")),
            ("CarrierEnablement", ("enabled",)),
            ("Feature", ("key",)),
        ):
            missing = [n for n in names if n not in self._type(type_name).fields]
            if missing:
                raise PeerUnavailableError(f"the peer's {type_name} has no {', '.join(missing)}")

    def _type(self, name: str) -> TypeInfo:
        found = self.schema.get(name)
        if found is None:
            raise PeerUnavailableError(f"the peer's schema has no type {name}")
        return found

    def _lookup_by_uuid(self, owner: str, target: str) -> FieldInfo:
        for candidate in self._type(owner).fields.values():
            if candidate.type_name == target and list(candidate.args.values()) == ["UUID!"]:
                return candidate
        raise PeerUnavailableError(f"the peer has no {owner} field that finds one {target} by its uuid")

    def _connection(self, owner: str, node_type: str, needs: tuple[str, ...] = ()) -> FieldInfo:
        for candidate in self._type(owner).fields.values():
            connection = self.schema.get(candidate.type_name)
            nodes = connection.fields.get("nodes") if connection else None
            required = ("first", "after", *needs)
            if (
                nodes is not None
                and nodes.type_name == node_type
                and all(a in candidate.args for a in required)
            ):
                return candidate
        raise PeerUnavailableError(f"the peer has no connection from {owner} to {node_type}")

    def _reference(self, owner: str, target: str) -> FieldInfo:
        for candidate in self._type(owner).fields.values():
            if candidate.type_name == target and not candidate.args:
                return candidate
        raise PeerUnavailableError(f"the peer has no reference from {owner} to {target}")

    def order_by(self, connection: FieldInfo, wanted: tuple[str, ...]) -> str:
        """`, orderBy: [...]` with those of `wanted` the peer offers (our order), or nothing."""
        enum_name = connection.args.get("orderBy", "").strip("[]!")
        offered = set(self.schema[enum_name].enum_values) if enum_name in self.schema else set()
        values = [v for v in wanted if v in offered]
        return f", orderBy: [{', '.join(values)}]" if values else ""

    def small_query(self) -> str | None:
        condition = self.schema.get(self.carrier_list.args["condition"].strip("!"))
        if condition is None or "code" not in condition.input_fields:
            return None
        return f"""
query CarrierByCode($code: String!) {{
  carriers: {self.carrier_list.name}(condition: {{code: $code}}, first: 1) {{
    nodes {{ id code name version updatedAt }}
  }}
}}
"""

    def nested_query(self) -> str:
        (id_argument, id_type), *_ = self.organization.args.items()
        after_type = self.carriers.args["after"]
        # Our API orders carriers by code and keys by creation: ask the peer for the same order.
        carrier_order = self.order_by(self.carriers, ("CODE_ASC", "PRIMARY_KEY_ASC"))
        key_order = self.order_by(self.api_keys, ("CREATED_AT_ASC", "PRIMARY_KEY_ASC"))
        return f"""
query OrganizationCarriers($id: {id_type}, $first: Int!, $after: {after_type}) {{
  organization: {self.organization.name}({id_argument}: $id) {{
    id
    name
    carriers: {self.carriers.name}(first: $first, after: $after{carrier_order}) {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        id
        code
        name
        apiKeys: {self.api_keys.name}(first: {KEYS_PER_CARRIER_PAGE}{key_order}) {{
          nodes {{ hint scopes expiresAt revokedAt }}
        }}
        enablements: {self.enablements.name} {{ nodes {{ enabled feature: {self.feature.name} {{ key }} }} }}
      }}
    }}
  }}
}}
"""


@dataclass(frozen=True, slots=True)
class PeerQueries:
    small: str | None
    nested: str
    # The peer's own cursor for the middle of the paged organization.
    middle_cursor: str

    def request(self, workload: Workload, dataset: Dataset) -> dict[str, Any] | None:
        """The peer's request for `workload`, or None when the peer has no equivalent."""
        if not workload.peer:
            return None
        if workload.kind == "small":
            if self.small is None:
                return None
            return {
                "query": self.small,
                "operationName": "CarrierByCode",
                "variables": {"code": dataset.small_carrier_code},
            }
        assert workload.organization_size is not None
        return {
            "query": self.nested,
            "operationName": "OrganizationCarriers",
            "variables": {
                "id": str(dataset.organizations[workload.organization_size]),
                "first": workload.first,
                "after": self.middle_cursor if workload.from_middle else None,
            },
        }


def discover(server: Server, dataset: Dataset) -> PeerQueries:
    """Introspect the peer, build its queries, and find its cursor for the middle page."""
    names = Names(parse_schema(post_json(server, {"query": INTROSPECTION})))
    nested = names.nested_query()
    shape = dataset.shape
    answer = post_json(
        server,
        {
            "query": nested,
            "variables": {
                "id": str(dataset.organizations[shape.paged_size]),
                "first": dataset.middle_offset,
                "after": None,
            },
        },
    )
    cursor = answer["data"]["organization"]["carriers"]["pageInfo"]["endCursor"]
    return PeerQueries(small=names.small_query(), nested=nested, middle_cursor=str(cursor))


def check_peer(workload: Workload, body: dict[str, Any]) -> None:
    if body.get("errors") or not isinstance(body.get("data"), dict):
        raise RuntimeError(f"{workload.name}: the peer answered with errors: {str(body)[:800]}")
    data = body["data"]
    if workload.kind == "small":
        if len(data["carriers"]["nodes"]) != 1:
            raise RuntimeError(f"{workload.name}: the peer did not find the carrier")
        return
    carriers = (data.get("organization") or {}).get("carriers", {}).get("nodes", [])
    if len(carriers) != workload.expected_carriers:
        raise RuntimeError(
            f"{workload.name}: the peer returned {len(carriers)} carriers, "
            f"expected {workload.expected_carriers}"
        )
