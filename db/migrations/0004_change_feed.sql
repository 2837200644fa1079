-- The change feed: every change that matters to a cache or a subscriber notifies the channel
-- `carrier_admin_changes`, in the transaction that makes it (PostgreSQL delivers it at commit, and not at
-- all on rollback). The payload carries ids only, as JSON: what changed (`t`), its id, the carrier and
-- organization it concerns, and for keys what happened to it. Listeners read the rest themselves, with
-- their own caller's rules.

create function notify_change(payload jsonb) returns void
language sql as $$
    select pg_notify('carrier_admin_changes', jsonb_strip_nulls(payload)::text)
$$;

-- API keys: created, changed, revoked (now or at the end of a grace period), warned of expiry, expired.
-- A use of the key (last_used_*) is not a change anyone waits for: it notifies nothing.
create function api_keys_changed() returns trigger
language plpgsql as $$
begin
    perform notify_change(jsonb_build_object(
        't', 'api_key',
        'id', new.id,
        'carrier', new.carrier_id,
        'action', case
            when tg_op = 'INSERT' then 'created'
            when new.revoked_at is distinct from old.revoked_at then 'revoked'
            when new.expiry_recorded_at is distinct from old.expiry_recorded_at then 'expired'
            when new.expiry_warned_at is distinct from old.expiry_warned_at then 'expiring'
            else 'updated' end));
    return null;
end;
$$;
create trigger api_keys_notify_insert after insert on api_keys
    for each row execute function api_keys_changed();
create trigger api_keys_notify_update after update on api_keys
    for each row
    when ((old.description, old.scopes, old.ip_allowlist, old.expires_at, old.revoked_at,
           old.expiry_warned_at, old.expiry_recorded_at, old.version)
          is distinct from
          (new.description, new.scopes, new.ip_allowlist, new.expires_at, new.revoked_at,
           new.expiry_warned_at, new.expiry_recorded_at, new.version))
    execute function api_keys_changed();

-- Enablements: a carrier's own setting, an organization's, a feature's default.
create function carrier_enablements_changed() returns trigger
language plpgsql as $$
declare
    changed carrier_enablements := coalesce(new, old);
begin
    perform notify_change(jsonb_build_object(
        't', 'carrier_enablement', 'carrier', changed.carrier_id, 'feature', changed.feature_id));
    return null;
end;
$$;
create trigger carrier_enablements_notify after insert or update or delete on carrier_enablements
    for each row execute function carrier_enablements_changed();

create function organization_enablements_changed() returns trigger
language plpgsql as $$
declare
    changed organization_enablements := coalesce(new, old);
begin
    perform notify_change(jsonb_build_object(
        't', 'organization_enablement', 'organization', changed.organization_id,
        'feature', changed.feature_id));
    return null;
end;
$$;
create trigger organization_enablements_notify after insert or update or delete on organization_enablements
    for each row execute function organization_enablements_changed();

create function features_changed() returns trigger
language plpgsql as $$
declare
    changed features := coalesce(new, old);
begin
    perform notify_change(jsonb_build_object('t', 'feature', 'feature', changed.id));
    return null;
end;
$$;
create trigger features_notify after insert or update or delete on features
    for each row execute function features_changed();

-- Carriers attached, moved, detached, renamed; organizations renamed or deleted.
create function carriers_changed() returns trigger
language plpgsql as $$
begin
    perform notify_change(jsonb_build_object(
        't', 'carrier',
        'carrier', coalesce(new.id, old.id),
        'organization', new.organization_id,
        'previous_organization', case when tg_op = 'UPDATE' then old.organization_id end));
    return null;
end;
$$;
create trigger carriers_notify after insert or update or delete on carriers
    for each row execute function carriers_changed();

create function organizations_changed() returns trigger
language plpgsql as $$
begin
    perform notify_change(jsonb_build_object('t', 'organization', 'organization', coalesce(new.id, old.id)));
    return null;
end;
$$;
create trigger organizations_notify after insert or update or delete on organizations
    for each row execute function organizations_changed();

-- The activity log, appended to.
create function activity_appended() returns trigger
language plpgsql as $$
begin
    perform notify_change(jsonb_build_object(
        't', 'activity', 'id', new.id, 'carrier', new.carrier_id, 'organization', new.organization_id));
    return null;
end;
$$;
create trigger activity_log_notify after insert on activity_log
    for each row execute function activity_appended();
