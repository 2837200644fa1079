-- The whole data model of the domain brief. Invariants live here, in constraints, so that no code path
-- (and no race between two of them) can break them.

-- Organizations: an optional umbrella over several carriers.
create table organizations (
    id          uuid primary key default gen_random_uuid(),
    name        text not null
                check (name = btrim(name) and char_length(name) between 1 and 200),
    version     integer not null default 1 check (version > 0),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
-- Two organizations may not differ only by case: people would not tell them apart in a list.
create unique index organizations_name_key on organizations (lower(name));

-- Carriers: the tenant. A carrier belongs to at most one organization; an organization with carriers
-- cannot be deleted (on delete restrict), which also settles a delete racing an attach.
create table carriers (
    id               uuid primary key default gen_random_uuid(),
    code             text not null check (code ~ '^[A-Z][A-Z0-9]{1,9}$'),
    name             text not null
                     check (name = btrim(name) and char_length(name) between 1 and 200),
    organization_id  uuid references organizations (id) on delete restrict,
    version          integer not null default 1 check (version > 0),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);
-- Codes are stored upper-case (the check above); the unique index on upper() makes the uniqueness
-- case-insensitive even if that check is ever relaxed.
create unique index carriers_code_key on carriers (upper(code));
create index carriers_organization_id_idx on carriers (organization_id, code);
create index carriers_name_idx on carriers (lower(name));

-- The feature catalogue, curated by the vendor's staff.
create table features (
    id               uuid primary key default gen_random_uuid(),
    key              text not null unique
                     check (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' and char_length(key) <= 100),
    name             text not null
                     check (name = btrim(name) and char_length(name) between 1 and 200),
    description      text not null default '' check (char_length(description) <= 2000),
    default_enabled  boolean not null default false,
    version          integer not null default 1 check (version > 0),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

-- Enablements: no row means INHERIT; a row says ENABLED (true) or DISABLED (false) for that scope.
-- Who changed it is kept beside the value, so the API can say it without reading the activity log.
create table organization_enablements (
    organization_id  uuid not null references organizations (id) on delete cascade,
    feature_id       uuid not null references features (id) on delete cascade,
    enabled          boolean not null,
    updated_at       timestamptz not null default now(),
    updated_by_kind  text not null,
    updated_by_id    text not null,
    updated_by_name  text,
    primary key (organization_id, feature_id)
);

create table carrier_enablements (
    carrier_id       uuid not null references carriers (id) on delete cascade,
    feature_id       uuid not null references features (id) on delete cascade,
    enabled          boolean not null,
    updated_at       timestamptz not null default now(),
    updated_by_kind  text not null,
    updated_by_id    text not null,
    updated_by_name  text,
    primary key (carrier_id, feature_id)
);

-- API keys. Only the SHA-256 of the secret is stored; the hint identifies a key to a person afterwards.
-- Status is derived (revoked_at, expires_at), so it can never disagree with the fields it comes from.
create table api_keys (
    id                 uuid primary key default gen_random_uuid(),
    carrier_id         uuid not null references carriers (id) on delete restrict,
    description        text not null
                       check (description = btrim(description)
                              and char_length(description) between 1 and 200),
    secret_hash        bytea not null unique check (octet_length(secret_hash) = 32),
    hint               text not null,
    environment        text not null check (environment in ('live', 'test')),
    scopes             text[] not null default '{}'
                       check (scopes <@ array['carrier:read', 'enablements:read', 'keys:read',
                                              'keys:write', 'activity:read']::text[]),
    ip_allowlist       cidr[] not null default '{}'
                       check (cardinality(ip_allowlist) <= 50),
    expires_at         timestamptz,
    created_at         timestamptz not null default now(),
    created_by_kind    text not null,
    created_by_id      text not null,
    created_by_name    text,
    revoked_at         timestamptz,
    revoked_by_kind    text,
    revoked_by_id      text,
    revoked_by_name    text,
    revoked_reason     text check (char_length(revoked_reason) <= 500),
    rotated_from_id    uuid references api_keys (id) on delete restrict,
    idempotency_key    text check (char_length(idempotency_key) between 1 and 200),
    last_used_at       timestamptz,
    last_used_address  inet,
    version            integer not null default 1 check (version > 0),
    updated_at         timestamptz not null default now(),
    check (expires_at is null or expires_at > created_at),
    check ((revoked_at is null) = (revoked_by_kind is null)),
    check (revoked_at is null or revoked_reason is not null)
);
create index api_keys_carrier_id_idx on api_keys (carrier_id, created_at, id);
-- A retried create with the same idempotency key finds the first key instead of making a second one.
create unique index api_keys_idempotency_key on api_keys (carrier_id, idempotency_key)
    where idempotency_key is not null;
-- A key is rotated at most once: two concurrent rotations of one key cannot both succeed.
create unique index api_keys_rotated_from_id_key on api_keys (rotated_from_id)
    where rotated_from_id is not null;

-- The activity log: who, what, when, from where, and why. Append-only, enforced below.
create table activity_log (
    id               uuid primary key default gen_random_uuid(),
    occurred_at      timestamptz not null default clock_timestamp(),
    actor_kind       text not null check (actor_kind in ('staff', 'admin', 'api_key', 'system', 'anonymous')),
    actor_id         text,
    actor_name       text,
    actor_is_staff   boolean not null,
    action           text not null check (action ~ '^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)*$'),
    outcome          text not null default 'succeeded' check (outcome in ('succeeded', 'refused')),
    target_type      text,
    target_id        uuid,
    -- The carrier and organization the event concerns, kept without foreign keys so that the history of
    -- a deleted organization survives it; they scope who may read the event.
    carrier_id       uuid,
    organization_id  uuid,
    before           jsonb,
    after            jsonb,
    reason           text check (char_length(reason) <= 500),
    request_id       text,
    client_address   inet
);
create index activity_log_occurred_at_idx on activity_log (occurred_at, id);
create index activity_log_carrier_idx on activity_log (carrier_id, occurred_at, id);
create index activity_log_organization_idx on activity_log (organization_id, occurred_at, id);
create index activity_log_target_idx on activity_log (target_id, occurred_at, id);

create function activity_log_is_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'the activity log is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger activity_log_no_update_or_delete
    before update or delete on activity_log
    for each row execute function activity_log_is_append_only();
create trigger activity_log_no_truncate
    before truncate on activity_log
    for each statement execute function activity_log_is_append_only();

-- Tenant scope, in one place: every query that reads carriers or what hangs off them asks this. The
-- caller's scope travels as three parameters: everything (staff), these carriers, these organizations.
create function carrier_in_scope(
    carrier_id uuid, organization_id uuid, scope_all boolean, scope_carriers uuid[], scope_orgs uuid[]
) returns boolean
language sql immutable parallel safe as $$
    select scope_all
        or carrier_id = any(scope_carriers)
        or (organization_id is not null and organization_id = any(scope_orgs))
$$;

-- An organization is in reach when the caller administers it or one of its carriers.
create function organization_in_scope(
    organization_id uuid, scope_all boolean, scope_carriers uuid[], scope_orgs uuid[]
) returns boolean
language sql stable parallel safe as $$
    select scope_all
        or organization_id = any(scope_orgs)
        or exists (
            select 1 from carriers c
            where c.organization_id = organization_in_scope.organization_id
              and c.id = any(scope_carriers)
        )
$$;
