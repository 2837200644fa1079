"""A realistic demo data set for GraphiQL: organizations, carriers, features, enablements, and keys in
every state. Loading it twice changes nothing (every insert is keyed on a natural unique key).

The keys' secrets are random and thrown away: demo keys exist to be looked at, not used.
"""

from __future__ import annotations

from access import keyformat
from db.pool import Connection

ORGANIZATIONS = {
    "Great Lakes Short Line Group": ["GLSR", "WSOR", "TPW", "IORY", "CFE", "MQT"],
    "Gulf Coast Rail Partners": ["AGR", "DGNO", "PNWR", "NOGC", "TCT"],
    "Prairie Regional Holdings": ["BNML", "DMVW", "RCPE", "NPCR"],
}

UNATTACHED = ["BNSF", "UP", "CSXT", "NS", "KCS", "FEC", "NECR", "VTR", "SLR", "PW", "BPRR", "RJCP"]

CARRIER_NAMES = {
    "BNSF": "BNSF Railway",
    "UP": "Union Pacific Railroad",
    "CSXT": "CSX Transportation",
    "NS": "Norfolk Southern Railway",
    "KCS": "Kansas City Southern Railway",
    "FEC": "Florida East Coast Railway",
    "NECR": "New England Central Railroad",
    "VTR": "Vermont Railway",
    "SLR": "St. Lawrence & Atlantic Railroad",
    "PW": "Providence and Worcester Railroad",
    "BPRR": "Buffalo & Pittsburgh Railroad",
    "RJCP": "R.J. Corman Railroad - Pennsylvania Lines",
    "GLSR": "Great Lakes Southern Railroad",
    "WSOR": "Wisconsin & Southern Railroad",
    "TPW": "Toledo, Peoria & Western Railway",
    "IORY": "Indiana & Ohio Railway",
    "CFE": "Chicago, Fort Wayne & Eastern Railroad",
    "MQT": "Marquette Rail",
    "AGR": "Alabama & Gulf Coast Railway",
    "DGNO": "Dallas, Garland & Northeastern Railroad",
    "PNWR": "Portland & Western Railroad",
    "NOGC": "New Orleans & Gulf Coast Railway",
    "TCT": "Texas City Terminal Railway",
    "BNML": "Big Sky Northern Main Line",
    "DMVW": "Dakota, Missouri Valley & Western Railroad",
    "RCPE": "Rapid City, Pierre & Eastern Railroad",
    "NPCR": "Northern Plains Railroad",
}

# (key, name, description, default_enabled)
FEATURES = [
    ("inventory.waybills", "Waybills", "Create, view and amend electronic waybills.", True),
    ("inventory.car_hire", "Car hire", "Track per-diem and mileage charges for foreign cars.", False),
    ("operations.switch_lists", "Switch lists", "Generate switch lists for yard crews.", True),
    ("operations.train_sheets", "Train sheets", "Build train consists and train sheets.", True),
    ("operations.yard_check", "Yard check", "Reconcile inventory with a physical yard check.", False),
    ("billing.invoicing", "Invoicing", "Issue freight invoices from completed moves.", False),
    ("billing.demurrage", "Demurrage", "Calculate demurrage and storage charges.", False),
    ("analytics.dashboards", "Dashboards", "Operational dashboards and KPIs.", False),
    ("integrations.edi", "EDI", "Exchange EDI 404/417/418 messages with partners.", False),
    ("integrations.api_access", "API access", "Allow integrations to call the API with keys.", True),
]

ORGANIZATION_ENABLEMENTS = {
    "Great Lakes Short Line Group": {"billing.invoicing": True, "analytics.dashboards": True},
    "Gulf Coast Rail Partners": {"billing.demurrage": True, "operations.switch_lists": False},
}

CARRIER_ENABLEMENTS = {
    "WSOR": {"billing.invoicing": False, "integrations.edi": True},
    "BNSF": {"integrations.edi": True, "analytics.dashboards": True},
    "AGR": {"operations.switch_lists": True},
}

# (carrier, description, scopes, allowlist, state)
KEYS = [
    (
        "BNSF",
        "Production ERP integration",
        ["carrier:read", "enablements:read"],
        ["203.0.113.0/24"],
        "active",
    ),
    ("BNSF", "Warehouse management system sync", ["carrier:read", "keys:read"], [], "active"),
    ("BNSF", "Development testing - John's team", ["carrier:read"], [], "expired"),
    (
        "WSOR",
        "Production ERP integration",
        ["carrier:read", "enablements:read"],
        ["2001:db8::/32"],
        "active",
    ),
    ("WSOR", "Legacy billing export", ["carrier:read"], [], "revoked"),
    (
        "AGR",
        "Warehouse management system sync",
        ["carrier:read", "keys:read", "keys:write"],
        [],
        "active",
    ),
    ("UP", "Yard automation", ["carrier:read", "activity:read"], ["198.51.100.7"], "active"),
    # With a month of traffic (the usage chart), and one idle for 45 days (the "unused" nudge).
    ("WSOR", "Dispatch board feed", ["carrier:read"], ["192.0.2.0/24"], "busy"),
    ("WSOR", "Fuel card reconciliation", ["carrier:read"], ["192.0.2.0/24"], "idle"),
]

# Requests per day of the demo's busy and idle keys (days ago → served, refused by reason), in the
# current hour of each day.
BUSY_DAYS = {
    day: (300 + (day * 37) % 160, {"ADDRESS_NOT_ALLOWED": 25} if day in (4, 5) else {}) for day in range(30)
} | {11: (280, {"RATE_LIMITED": 40})}
IDLE_DAYS: dict[int, tuple[int, dict[str, int]]] = {day: (90 + day, {}) for day in range(46, 60)}

ACTOR = ("system", "demo", "demo data")

# Each statement writes its row unless one is there already: loading the demo again changes nothing.
ORGANIZATION = "insert into organizations (name) values ($1) on conflict do nothing"
ORGANIZATION_ID = "select id from organizations where lower(name) = lower($1)"
CARRIER = "insert into carriers (code, name, organization_id) values ($1, $2, $3) on conflict do nothing"
FEATURE = """
insert into features (key, name, description, default_enabled)
values ($1, $2, $3, $4) on conflict (key) do nothing
"""
ORGANIZATION_SETTING = """
insert into organization_enablements
    (organization_id, feature_id, enabled, updated_by_kind, updated_by_id, updated_by_name)
select $1, f.id, $3, $4, $5, $6 from features f where f.key = $2
on conflict do nothing
"""
CARRIER_SETTING = """
insert into carrier_enablements
    (carrier_id, feature_id, enabled, updated_by_kind, updated_by_id, updated_by_name)
select c.id, f.id, $3, $4, $5, $6
from carriers c, features f where c.code = $1 and f.key = $2
on conflict do nothing
"""


async def load(conn: Connection) -> None:
    async with conn.transaction():
        organization_ids = {}
        for name in ORGANIZATIONS:
            await conn.execute(ORGANIZATION, name)
            organization_ids[name] = await conn.fetchval(ORGANIZATION_ID, name)
        await conn.executemany(
            CARRIER,
            [
                (code, CARRIER_NAMES[code], organization_ids[organization])
                for organization, codes in ORGANIZATIONS.items()
                for code in codes
            ]
            + [(code, CARRIER_NAMES[code], None) for code in UNATTACHED],
        )
        await conn.executemany(FEATURE, FEATURES)
        await conn.executemany(
            ORGANIZATION_SETTING,
            [(organization_ids[owner], *setting) for owner, setting in _settings(ORGANIZATION_ENABLEMENTS)],
        )
        await conn.executemany(
            CARRIER_SETTING, [(code, *setting) for code, setting in _settings(CARRIER_ENABLEMENTS)]
        )
        for number, (code, description, scopes, allowlist, state) in enumerate(KEYS):
            await _key(
                conn,
                number=number,
                code=code,
                description=description,
                scopes=scopes,
                allowlist=allowlist,
                state=state,
            )
        await _usage(conn, "Dispatch board feed", BUSY_DAYS, last_used="1 hour")
        await _usage(conn, "Fuel card reconciliation", IDLE_DAYS, last_used="45 days")


def _settings(by_owner: dict[str, dict[str, bool]]) -> list[tuple[str, tuple[object, ...]]]:
    """Each owner's settings as (owner, (feature key, enabled, who set it))."""
    return [
        (owner, (feature, enabled, *ACTOR))
        for owner, settings in by_owner.items()
        for feature, enabled in settings.items()
    ]


async def _key(
    conn: Connection,
    *,
    number: int,
    code: str,
    description: str,
    scopes: list[str],
    allowlist: list[str],
    state: str,
) -> None:
    issued = keyformat.generate("test")
    created, expires = {
        "active": ("now() - interval '20 days'", "now() + interval '70 days'"),
        "expired": ("now() - interval '120 days'", "now() - interval '30 days'"),
        "revoked": ("now() - interval '60 days'", "now() + interval '30 days'"),
        "busy": ("now() - interval '40 days'", "now() + interval '50 days'"),
        "idle": ("now() - interval '120 days'", "now() + interval '60 days'"),
    }[state]
    revoked = state == "revoked"
    await conn.execute(
        f"""
        insert into api_keys
            (carrier_id, description, secret_hash, hint, environment, scopes, ip_allowlist,
             created_at, expires_at, created_by_kind, created_by_id, created_by_name,
             revoked_at, revoked_by_kind, revoked_by_id, revoked_by_name, revoked_reason,
             idempotency_key)
        select c.id, $2, $3, $4, 'test', $5, $6::cidr[], {created}, {expires}, $7, $8, $9,
               case when $10 then now() - interval '5 days' end,
               case when $10 then $7 end, case when $10 then $8 end, case when $10 then $9 end,
               case when $10 then 'Integration retired' end,
               $11
        from carriers c where c.code = $1
        on conflict do nothing
        """,
        code,
        description,
        issued.secret_hash,
        issued.hint,
        scopes,
        allowlist,
        *ACTOR,
        revoked,
        f"demo-{number}",
    )


async def _usage(
    conn: Connection, description: str, days: dict[int, tuple[int, dict[str, int]]], *, last_used: str
) -> None:
    """A demo key's counts (what the recorder would have written) and its last use."""
    rows = [
        (day, outcome, uses)
        for day, (served, refused) in days.items()
        for outcome, uses in {"SERVED": served, **refused}.items()
    ]
    await conn.execute(
        """
        insert into api_key_usage (key_id, hour, outcome, uses)
        select k.id, date_trunc('hour', now() - make_interval(days => u.day), 'UTC'), u.outcome, u.uses
        from api_keys k, unnest($2::int[], $3::text[], $4::bigint[]) as u(day, outcome, uses)
        where k.description = $1 and k.idempotency_key like 'demo-%'
        on conflict do nothing
        """,
        description,
        [day for day, _, _ in rows],
        [outcome for _, outcome, _ in rows],
        [uses for _, _, uses in rows],
    )
    await conn.execute(
        f"""
        update api_keys set last_used_at = now() - interval '{last_used}', last_used_address = '192.0.2.10'
        where description = $1 and idempotency_key like 'demo-%' and last_used_at is null
        """,
        description,
    )
