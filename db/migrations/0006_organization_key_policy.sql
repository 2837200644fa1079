-- An organization's key policy, inherited by its carriers, and staff's tightening of it for one carrier.
-- Each row holds what its level says; a null says nothing (the level above decides). The effective policy
-- of a carrier is the strictest of the platform's (settings), its organization's and its own: the code
-- never lets a level loosen what a level above it sets, and the strictest-wins merge means a value left
-- looser by a later change above is simply outvoted (resolvers/key_policy.py).
create table organization_key_policies (
    organization_id           uuid primary key references organizations (id) on delete cascade,
    max_lifetime_days         integer check (max_lifetime_days between 1 and 36500),
    allowlist_required        boolean,
    allowed_scopes            text[]
                              check (cardinality(allowed_scopes) >= 1
                                     and allowed_scopes <@ array['carrier:read', 'enablements:read',
                                        'keys:read', 'keys:write', 'activity:read']::text[]),
    max_grace_period_seconds  integer check (max_grace_period_seconds between 0 and 604800),
    non_expiring_allowed      boolean,
    version                   integer not null default 1 check (version > 0),
    updated_at                timestamptz not null default now(),
    updated_by_kind           text not null,
    updated_by_id             text,
    updated_by_name           text
);

create table carrier_key_policies (
    carrier_id                uuid primary key references carriers (id) on delete cascade,
    max_lifetime_days         integer check (max_lifetime_days between 1 and 36500),
    allowlist_required        boolean,
    allowed_scopes            text[]
                              check (cardinality(allowed_scopes) >= 1
                                     and allowed_scopes <@ array['carrier:read', 'enablements:read',
                                        'keys:read', 'keys:write', 'activity:read']::text[]),
    max_grace_period_seconds  integer check (max_grace_period_seconds between 0 and 604800),
    non_expiring_allowed      boolean,
    version                   integer not null default 1 check (version > 0),
    updated_at                timestamptz not null default now(),
    updated_by_kind           text not null,
    updated_by_id             text,
    updated_by_name           text
);

-- The change feed (0004): a policy changed at either level. Open pages read their carrier's effective
-- policy again (the apiKeyPolicyChanged subscription).
create function organization_key_policies_changed() returns trigger
language plpgsql as $$
begin
    perform notify_change(jsonb_build_object(
        't', 'key_policy', 'organization', coalesce(new.organization_id, old.organization_id)));
    return null;
end;
$$;
create trigger organization_key_policies_notify after insert or update or delete on organization_key_policies
    for each row execute function organization_key_policies_changed();

create function carrier_key_policies_changed() returns trigger
language plpgsql as $$
begin
    perform notify_change(jsonb_build_object(
        't', 'key_policy', 'carrier', coalesce(new.carrier_id, old.carrier_id)));
    return null;
end;
$$;
create trigger carrier_key_policies_notify after insert or update or delete on carrier_key_policies
    for each row execute function carrier_key_policies_changed();
