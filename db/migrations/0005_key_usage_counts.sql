-- How much each API key is used: requests per key, hour and outcome (served, or refused and why), so a
-- page can chart a key's traffic over time. Each instance counts in memory and adds its counts here once
-- a minute (`on conflict ... uses = uses + excluded.uses`), so several instances add up. Rows older than
-- API_KEY_USAGE_RETENTION_DAYS are deleted by the instances' recorders.
create table api_key_usage (
    key_id   uuid not null references api_keys (id) on delete cascade,
    -- The hour's start in UTC: a day is 24 of them whatever a reader's time zone.
    hour     timestamptz not null check (hour = date_trunc('hour', hour, 'UTC')),
    outcome  text not null
             check (outcome in ('SERVED', 'REVOKED', 'EXPIRED', 'ADDRESS_NOT_ALLOWED', 'API_ACCESS_DISABLED',
                                'RATE_LIMITED')),
    uses     bigint not null check (uses > 0),
    primary key (key_id, hour, outcome)
);
-- For pruning by age, and ordering a carrier's keys by use over a period.
create index api_key_usage_hour_idx on api_key_usage (hour);
