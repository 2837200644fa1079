-- Requests to Support, inside the page: an administrator proposes a change only staff may make (a
-- restricted function), with a reason; staff approve it (the change is then made exactly as proposed,
-- through the same resolver as if staff had made it) or decline it with an answer. Requests not decided
-- expire at `expires_at`.

create table change_requests (
    id               uuid primary key default gen_random_uuid(),
    -- Which restricted function: one kind per function (resolvers/change_requests.KINDS).
    kind             text not null check (kind in (
        'create_organization', 'attach_carrier', 'move_carrier', 'detach_carrier',
        'set_carrier_enablement', 'set_organization_enablement', 'never_expiring_key')),
    -- The change as proposed: the restricted mutation's input, as the API names its fields.
    proposed         jsonb not null,
    -- The change in words, naming what it concerns as they were called when it was requested.
    summary          text not null,
    reason           text not null check (char_length(reason) between 1 and 500),
    -- What it concerns, for the queue's filters and who may see it; no foreign keys, so that a request
    -- outlives a deleted organization as the activity log does.
    carrier_ids      uuid[] not null default '{}',
    organization_id  uuid,
    requested_by_kind text not null check (requested_by_kind in ('staff', 'admin')),
    requested_by_id   text not null,
    requested_by_name text,
    requested_at     timestamptz not null default clock_timestamp(),
    expires_at       timestamptz not null,
    state            text not null default 'open'
                     check (state in ('open', 'approved', 'declined', 'expired', 'withdrawn')),
    decided_by_kind  text,
    decided_by_id    text,
    decided_by_name  text,
    decided_at       timestamptz,
    answer           text check (char_length(answer) <= 500),
    -- The last approval that was refused because the change no longer applied (it stays open).
    conflict         text,
    version          integer not null default 1,
    check ((state = 'open') = (decided_at is null))
);
create index change_requests_open_idx on change_requests (requested_at, id) where state = 'open';
create index change_requests_requester_idx on change_requests (requested_by_id, requested_at);
create index change_requests_carriers_idx on change_requests using gin (carrier_ids);

-- The activity row of a change made by approving a request names who asked for it, beside who made it.
alter table activity_log add column requested_by jsonb;

-- Requests notify the change feed (migration 0004): the requester's page follows its state live.
create function change_requests_changed() returns trigger
language plpgsql as $$
begin
    perform notify_change(jsonb_build_object(
        't', 'change_request', 'id', new.id, 'organization', new.organization_id,
        'carrier', new.carrier_ids[1], 'action', new.state));
    return null;
end;
$$;
create trigger change_requests_notify after insert or update on change_requests
    for each row execute function change_requests_changed();
