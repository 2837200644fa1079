"""Rights narrowed while a subscription runs (issue 21 §4), generated from the built schema.

For every right of an API key that can be narrowed, a key holding it subscribes, on one connection, to
every Subscription field of the schema (each with a document selecting its type's fields two levels
deep), and staff to the same on another (which says what events happened); staff narrow the right
through the API; an event of each subscription is caused; and then:
- a subscription whose field the key may no longer use ends with FORBIDDEN or UNAUTHENTICATED, the
  code HTTP now answers the same key with, and sends nothing more (its watch is gone);
- the others go on, with exactly what the same rules let the key read over HTTP: a selected field
  whose scope was taken away is null with a FORBIDDEN error at its path, every other field is there;
- over HTTP the same key is refused the same way.
The rights: each scope the documents need (from schema/enforcement's field rules), the IP allowlist,
the carrier's API access, revocation and expiry (every reason a key is refused for: RefusalReason);
and, as the control, a change that narrows nothing.

A scope taken that only a field inside the document needs (CARRIER_READ for `apiKey { carrier }`) does
not end the subscription: its events come as HTTP would answer the same selection, that field null
with FORBIDDEN (and, where it may not be null, its parent null: an enablement change's `carrier` needs
CARRIER_READ, so without it every such event is null with that error).

Rights are judged per event (resolvers/live.py reads the key again before each one): a subscription
ends when its next event would be sent, not at the moment its right is taken (a narrowing that is
itself a change of the key is such an event).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from graphql import GraphQLObjectType, get_named_type, is_leaf_type, is_required_argument

from access.activity_scopes import content_scopes
from access.principal import ALL_SCOPES, IMPLIED, Scope
from access.tokens import mint_development_token
from resolvers.global_ids import from_global_id, to_global_id
from schema.build import schema
from schema.enforcement import field_rules
from services.key_usage import Outcome, RefusalReason
from tests import factories
from tests.conftest import TEMPLATE, copied_database, make_settings
from tests.web.live_socket import Live, Socket, live_app, socket
from web.app_keys import KEY_USAGE

RULES = field_rules(schema)
SUBSCRIPTION = schema._schema.subscription_type
assert SUBSCRIPTION is not None
SETTINGS = make_settings()
ELSEWHERE = "203.0.113.7/32"  # not the test client's address (127.0.0.1)


# --- the documents, from the schema ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selected:
    """A field a document selects: its name, its coordinate (for its rule) and what it selects."""

    name: str
    coordinate: str
    children: tuple[Selected, ...] = ()

    @property
    def text(self) -> str:
        inner = " ".join(child.text for child in self.children)
        return f"{self.name} {{ {inner} }}" if self.children else self.name


def selections(parent: GraphQLObjectType, depth: int) -> tuple[Selected, ...]:
    """Every field of `parent` a key may read without arguments: leaves, and objects `depth` deep."""
    chosen = []
    for name, definition in parent.fields.items():
        rule = RULES[f"{parent.name}.{name}"]
        if rule.restricted_reason or any(map(is_required_argument, definition.args.values())):
            continue
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            chosen.append(Selected(name, rule.coordinate))
        elif isinstance(named, GraphQLObjectType) and depth > 0 and (inner := selections(named, depth - 1)):
            chosen.append(Selected(name, rule.coordinate, inner))
    return tuple(chosen)


def walk(selected: tuple[Selected, ...]) -> Iterator[Selected]:
    for one in selected:
        yield one
        yield from walk(one.children)


@dataclass(frozen=True, slots=True)
class Watcher:
    """One Subscription field, and the document that subscribes to it (its id on the connection is the
    field's name)."""

    field: str
    root: Selected

    @property
    def query(self) -> str:
        inner = " ".join(child.text for child in self.root.children)
        return f"subscription Watch($c: ID!) {{ {self.field}(carrierId: $c) {{ {inner} }} }}"

    @property
    def root_scopes(self) -> frozenset[Scope]:
        """What the field itself needs: without it, the subscription ends."""
        return RULES[self.root.coordinate].scopes

    @property
    def scopes(self) -> frozenset[Scope]:
        """What the document needs, the field and every field it selects."""
        return frozenset().union(*(RULES[one.coordinate].scopes for one in walk((self.root,))))


# Subscriptions for people only, which refuse every key at once (tests/web/test_change_request_live.py):
# no right of a key to narrow there.
PEOPLE_ONLY = frozenset({"changeRequestsChanged"})
WATCHERS = [
    Watcher(
        name, Selected(name, f"{SUBSCRIPTION.name}.{name}", selections(get_named_type(definition.type), 2))
    )
    for name, definition in SUBSCRIPTION.fields.items()
    if name not in PEOPLE_ONLY
]


def read_as_the_rules_say(watcher: Watcher, payload: dict[str, Any], held: frozenset[Scope]) -> None:
    """An event as HTTP's rules would answer it to a key holding `held`: every field it may read is
    there; one it may not is null, with a FORBIDDEN error at its path (a null field that may not be null
    makes its parent null, as the specification says); and no error of any other kind. An activity
    event's contents take the scopes of the event (access/activity_scopes.py)."""
    errors = payload.get("errors", [])
    assert {error["extensions"]["code"] for error in errors} <= {"FORBIDDEN"}, errors
    forbidden = {tuple(error["path"]) for error in errors}
    explained: set[tuple[str | int, ...]] = set()

    def visit(selected: Selected, value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                visit(selected, item, (*path, index))
            return
        if value is None:
            return
        for child in selected.children:
            child_path = (*path, child.name)
            rule = RULES[child.coordinate]
            if rule.of_event and child_path not in forbidden:
                shown = content_scopes(value["action"], value.get("before"), value.get("after"))
                assert rule.scopes | shown <= held, (child_path, value)
            elif rule.of_event:
                # Contents withheld may have shown effective values, which take ENABLEMENTS_READ too.
                possible = content_scopes(value["action"], None, None) | {Scope.ENABLEMENTS_READ}
                assert not rule.scopes | possible <= held, (child_path, errors)
                assert value[child.name] is None, (child_path, value)
                explained.add(child_path)
            elif rule.scopes <= held:
                visit(child, value[child.name], child_path)
            else:
                assert value[child.name] is None, (child_path, value[child.name])
                assert child_path in forbidden, (child_path, errors)
                explained.add(child_path)

    visit(watcher.root, (payload.get("data") or {}).get(watcher.field), (watcher.field,))
    for path in forbidden - explained:
        # A field refused below a parent left null because of it: nothing of it was shown.
        assert not needs_by_path(watcher, path) <= held, (path, errors)


def needs_by_path(watcher: Watcher, path: tuple[str | int, ...]) -> frozenset[Scope]:
    """What the field at `path` takes, as far as the document says (an event's contents: any scope)."""
    selected = watcher.root
    for name in path[1:]:
        if isinstance(name, int):
            continue
        selected = next(child for child in selected.children if child.name == name)
    rule = RULES[selected.coordinate]
    return ALL_SCOPES if rule.of_event else rule.scopes


# --- the scenario: a key, its subscriptions, staff who narrow it ------------------------------------

CREATE_KEY = """mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { __typename ... on CreateApiKeyPayload { secret apiKey { id } } } }"""
UPDATE_KEY = """mutation Update($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { __typename } }"""
REVOKE_KEY = """mutation Revoke($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { __typename } }"""
SET_ENABLEMENT = """mutation Set($input: SetCarrierEnablementInput!) {
  setCarrierEnablement(input: $input) { __typename } }"""
SET_KEY_POLICY = """mutation SetPolicy($input: SetCarrierKeyPolicyInput!) {
  setCarrierKeyPolicy(input: $input) { __typename } }"""
VIEWER = "{ viewer { kind } }"
POLICY_DAYS = 300


@dataclass
class Scenario:
    """A carrier with a key that holds every scope (the subscriber) and one that only changes (the
    bystander, whose changes are events), and a feature to switch (another event)."""

    live: Live
    carrier: str
    feature: str
    key: str = ""
    secret: str = ""
    bystander: str = ""

    def staff(self) -> str:
        """A staff token, valid by the app's clock (which a test may have moved)."""
        return mint_development_token(
            factories.TOKENS,
            subject="staff-1",
            name="Sam Staff",
            staff=True,
            now=self.live.clock().timestamp(),
        )

    async def as_staff(self, mutation: str, answer: str, **input: Any) -> dict[str, Any]:
        status, body = await self.live.post(mutation, self.staff(), input=input)
        assert status == 200, body
        assert "errors" not in body, body
        (result,) = body["data"].values()
        assert result["__typename"] == answer, body
        return dict(result)

    async def issue_keys(self) -> None:
        created = await self.as_staff(
            CREATE_KEY,
            "CreateApiKeyPayload",
            carrierId=self.carrier,
            description="Subscriber",
            scopes=sorted(scope.name for scope in ALL_SCOPES),
            expiresAt=(self.live.clock() + timedelta(days=1)).isoformat(),
        )
        self.key, self.secret = created["apiKey"]["id"], created["secret"]
        bystander = await self.as_staff(
            CREATE_KEY,
            "CreateApiKeyPayload",
            carrierId=self.carrier,
            description="Bystander",
            scopes=["KEYS_READ"],
        )
        self.bystander = bystander["apiKey"]["id"]

    async def cause_events(self) -> None:
        """An event for every subscription: the carrier's key policy tightened (key policy, activity), a
        feature switched for the carrier (enablements, activity), then the bystander key changed (keys,
        activity), then used and its use counted (usage)."""
        await self.as_staff(
            SET_KEY_POLICY, "CarrierKeyPolicyPayload", carrierId=self.carrier, maxLifetimeDays=POLICY_DAYS
        )
        await self.as_staff(
            SET_ENABLEMENT,
            "EnablementPayload",
            carrierId=self.carrier,
            featureKey=self.feature,
            state="ENABLED",
            reason="An event",
        )
        await self.as_staff(UPDATE_KEY, "ApiKeyPayload", id=self.bystander, description="Changed")
        # then the bystander is used, and the instance writes its counts (usage)
        found = from_global_id(self.bystander)
        assert found is not None
        recorder = self.live.client.app[KEY_USAGE]
        recorder.count(found[1], self.live.clock(), Outcome.SERVED)
        await recorder.flush()


# Each subscription's last event of `cause_events`, as staff read it.
CAUSED: dict[str, Callable[[Scenario, dict[str, Any]], bool]] = {
    "apiKeyChanges": lambda s, data: data["apiKey"]["id"] == s.bystander,
    "enablementsChanged": lambda s, data: any(c["feature"]["key"] == s.feature for c in data["changes"]),
    "activityAppended": lambda s, data: data["action"] == "apiKey.update" and data["targetId"] == s.bystander,
    "apiKeyPolicyChanged": lambda _s, data: data["maxLifetimeDays"] == POLICY_DAYS,
    # The subscriber's own uses are counted too (its connection, its requests): any flush of the carrier's
    # counts is an event, and the subscriber must see as many as staff did.
    "apiKeyUsageChanged": lambda s, data: data["carrier"]["id"] == s.carrier,
}
assert set(CAUSED) == {w.field for w in WATCHERS}, "a new Subscription field: say how its event is caused"


# --- the rights ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Narrowing:
    """A right taken from the key: how (`narrow`), the scopes it holds afterwards, and how HTTP then
    answers any request with it ((status, code), or None while it still works)."""

    name: str
    narrow: Callable[[Scenario], Any]
    refusal: str  # the RefusalReason a request with the key would now be recorded with
    held: frozenset[Scope] = ALL_SCOPES
    refused: tuple[int, str] | None = None


def without(scope: Scope) -> frozenset[Scope]:
    """Every scope but `scope` and those that include it."""
    return frozenset(s for s in ALL_SCOPES if s is not scope and scope not in IMPLIED.get(s, frozenset()))


def scopes_narrowed_to(held: frozenset[Scope]) -> Callable[[Scenario], Any]:
    async def narrow(s: Scenario) -> None:
        """The key's change is itself an event of the subscriptions to keys and activity; the others
        are judged at the next event caused."""
        await s.as_staff(UPDATE_KEY, "ApiKeyPayload", id=s.key, scopes=sorted(scope.name for scope in held))

    return narrow


async def described_anew(s: Scenario) -> None:
    await s.as_staff(UPDATE_KEY, "ApiKeyPayload", id=s.key, description="Renamed, nothing taken")


async def allowlist_elsewhere(s: Scenario) -> None:
    """The key's change ends every subscription at once (each watches its own key)."""
    await s.as_staff(UPDATE_KEY, "ApiKeyPayload", id=s.key, ipAllowlist=[ELSEWHERE])


async def api_access_off(s: Scenario) -> None:
    """An enablement change: every subscription with a key re-reads it (its API access may be off)."""
    await s.as_staff(
        SET_ENABLEMENT,
        "EnablementPayload",
        carrierId=s.carrier,
        featureKey=SETTINGS.api_access_feature,
        state="DISABLED",
        reason="Narrowed",
    )


async def revoked(s: Scenario) -> None:
    """The key's change ends every subscription at once (each watches its own key)."""
    await s.as_staff(REVOKE_KEY, "ApiKeyPayload", id=s.key, reason="Narrowed")


async def expired(s: Scenario) -> None:
    """The app's clock moved past the key's expiry (a day after it was issued). No change marks the
    moment: each subscription ends at its next event (the connection's own timer, set at connect for
    the real expiry, is not what is tested here)."""
    s.live.clock.offset += timedelta(days=2)


NEEDED = sorted(frozenset().union(*(w.scopes for w in WATCHERS)), key=lambda scope: scope.name)
NARROWINGS = [
    *(
        Narrowing(
            f"scope {scope.name}",
            scopes_narrowed_to(without(scope)),
            RefusalReason.MISSING_SCOPE,
            without(scope),
        )
        for scope in NEEDED
    ),
    Narrowing(
        "allowlist", allowlist_elsewhere, RefusalReason.ADDRESS_NOT_ALLOWED, refused=(403, "FORBIDDEN")
    ),
    Narrowing("api access", api_access_off, RefusalReason.API_ACCESS_DISABLED, refused=(403, "FORBIDDEN")),
    Narrowing("revoked", revoked, RefusalReason.REVOKED, refused=(401, "UNAUTHENTICATED")),
    Narrowing("expired", expired, RefusalReason.EXPIRED, refused=(401, "UNAUTHENTICATED")),
]
REFUSAL_REASONS = {value for name, value in vars(RefusalReason).items() if name.isupper()}
assert {n.refusal for n in NARROWINGS} == REFUSAL_REASONS, "a new reason to refuse a key: narrow it here too"
CONTROL = Narrowing("nothing", described_anew, "")


# --- the server ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def database(server_url: str, template_url: str) -> AsyncIterator[str]:
    async with copied_database(server_url, TEMPLATE) as url:
        conn = await asyncpg.connect(url)
        try:
            await factories.feature(conn, SETTINGS.api_access_feature, default=True)
        finally:
            await conn.close()
        yield url


@pytest.fixture(scope="module")
async def live(database: str) -> AsyncIterator[Live]:
    async with live_app(database, rate_limit_failed_auth_per_address=1_000_000) as live:
        yield live


@pytest.fixture
async def scenario(live: Live, database: str) -> AsyncIterator[Scenario]:
    conn = await asyncpg.connect(database)
    try:
        carrier = await factories.carrier(conn)
        feature = await conn.fetchval("select key from features where id = $1", await factories.feature(conn))
    finally:
        await conn.close()
    yield Scenario(live, to_global_id("Carrier", carrier), feature)
    live.clock.offset = timedelta(0)


async def subscribed(s: Scenario, ws: Socket) -> None:
    for watcher in WATCHERS:
        await ws.subscribe(watcher.field, watcher.query, {"c": s.carrier})


async def caused_as_staff_saw_them(s: Scenario, witness: Socket) -> dict[str, int]:
    """How many events each subscription delivers, up to the last one `cause_events` caused, as a
    staff subscriber (who may read everything) received them."""
    events = {w.field: 0 for w in WATCHERS}
    waiting = set(events)
    while waiting:
        message = await witness.message()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        name = message["id"]
        events[name] += 1
        if CAUSED[name](s, message["payload"]["data"][name]):
            waiting.discard(name)
    return events


async def received(ws: Socket, events: dict[str, int], ending: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The messages of each subscription: those in `ending` until their end (never an event with
    data), the others until they have delivered as many events as the staff subscriber."""
    messages: dict[str, list[dict[str, Any]]] = {w.field: [] for w in WATCHERS}

    def done(name: str) -> bool:
        kinds = [m["type"] for m in messages[name]]
        if name in ending:
            return bool(kinds) and kinds[-1] in ("error", "complete")
        return kinds.count("next") >= events[name]

    try:
        while not all(map(done, messages)):
            message = await ws.message()
            name = message["id"]
            messages[name].append(message)
            if name in ending and message["type"] == "next":
                assert message["payload"]["data"] is None, (
                    f"{name} sent data after its right was taken: {message}"
                )
    except TimeoutError:
        raise AssertionError(f"the subscriptions did not end or go on as expected: {messages}") from None
    return messages


def ending_error(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The error a subscription ended with: an `error` message's, or that of a last `next` without
    data (then `complete`)."""
    last = messages[-1]
    if last["type"] == "error":
        (error,) = last["payload"]
    else:
        assert last["type"] == "complete", messages
        ended = messages[-2]
        assert ended["type"] == "next", messages
        assert ended["payload"]["data"] is None, ended
        (error,) = ended["payload"]["errors"]
    return dict(error)


async def http_answers(s: Scenario) -> tuple[int, dict[str, Any]]:
    return await s.live.post(VIEWER, s.secret)


def query_fields_needing(scope: Scope) -> list[str]:
    """Documents of the query root's fields that need `scope` (and no argument)."""
    query = schema._schema.query_type
    assert query is not None
    return [
        f"{{ {name} {{ __typename }} }}"
        for name, definition in query.fields.items()
        if scope in RULES[f"{query.name}.{name}"].scopes
        and not any(map(is_required_argument, definition.args.values()))
    ]


@pytest.mark.parametrize("narrowing", [pytest.param(n, id=n.name) for n in [*NARROWINGS, CONTROL]])
async def test_a_right_narrowed_mid_subscription_ends_what_it_covered(
    live: Live, scenario: Scenario, narrowing: Narrowing
) -> None:
    s = scenario
    await s.issue_keys()
    ending = {
        w.field for w in WATCHERS if narrowing.refused is not None or not w.root_scopes <= narrowing.held
    }
    async with socket(live) as witness, socket(live) as ws:
        # given every subscription, by the key and by staff
        await witness.init(s.staff())
        await ws.init(s.secret)
        before = live.watches()
        await subscribed(s, witness)
        await subscribed(s, ws)
        await live.until_watched(before, 2 * len(WATCHERS))
        ours = live.watches() - before

        # when the right is narrowed, then an event of each subscription happens
        await narrowing.narrow(s)
        await s.cause_events()

        # then what each subscription covered by the right ends, the others go on as the rules say
        events = await caused_as_staff_saw_them(s, witness)
        messages = await received(ws, events, ending)
        status, answer = await http_answers(s)
        for watcher in WATCHERS:
            sent = messages[watcher.field]
            if watcher.field not in ending:
                assert [m["type"] for m in sent] == ["next"] * events[watcher.field], sent
                for message in sent:
                    read_as_the_rules_say(watcher, message["payload"], narrowing.held)
                continue
            error = ending_error(sent)
            if narrowing.refused is not None:
                assert status == narrowing.refused[0], answer
                assert (
                    error["extensions"]["code"]
                    == narrowing.refused[1]
                    == answer["errors"][0]["extensions"]["code"]
                )
            else:
                missing = min(watcher.root_scopes - narrowing.held, key=lambda scope: scope.name)
                assert error["extensions"]["code"] == "FORBIDDEN", error
                assert error["extensions"]["requiredScope"] == missing.name, error
        # ... and sends nothing more: it no longer watches anything
        await live.until_left(ours, len(WATCHERS) * 2 - len(ending))

    # over HTTP, the same key is refused the same way (or still works, when only scopes were taken)
    if narrowing.refused is None:
        assert status == 200, answer
        assert "errors" not in answer, answer
        assert all(map(query_fields_needing, ALL_SCOPES - narrowing.held - {Scope.KEYS_WRITE}))
        for taken in ALL_SCOPES - narrowing.held:
            for document in query_fields_needing(taken):
                status, answer = await live.post(document, s.secret)
                codes = {
                    (e["extensions"]["code"], e["extensions"].get("requiredScope")) for e in answer["errors"]
                }
                assert codes == {("FORBIDDEN", taken.name)}, (document, answer)
