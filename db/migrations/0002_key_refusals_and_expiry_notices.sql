-- Refused uses of API keys (revoked, expired, from outside the allowlist, missing a scope, API access off):
-- one row per key, minute and reason with how many there were, so that a key hammered by a stale
-- integration costs a row a minute, not a row a request. Written by the key usage recorder.
create table api_key_refusals (
    key_id          uuid not null references api_keys (id) on delete cascade,
    minute          timestamptz not null,
    reason          text not null
                    check (reason in ('REVOKED', 'EXPIRED', 'ADDRESS_NOT_ALLOWED', 'MISSING_SCOPE',
                                      'API_ACCESS_DISABLED')),
    first_at        timestamptz not null,
    last_at         timestamptz not null,
    refusals        integer not null check (refusals > 0),
    client_address  inet,
    -- For a missing scope: the field that needed it.
    detail          text check (char_length(detail) <= 200),
    primary key (key_id, minute, reason),
    check (minute = date_trunc('minute', first_at) and first_at <= last_at)
);
create index api_key_refusals_latest_idx on api_key_refusals (key_id, last_at desc);

-- Expiry notices: the periodic job writes an activity event when a key enters its last days and when
-- it expires, once each; these say it has.
alter table api_keys
    add column expiry_warned_at timestamptz,
    add column expiry_recorded_at timestamptz;
create index api_keys_expiry_pending_idx on api_keys (expires_at)
    where expires_at is not null and expiry_recorded_at is null;
-- Keys that expired before notices existed get none: the log is not back-filled.
update api_keys set expiry_recorded_at = expires_at where expires_at <= now();
