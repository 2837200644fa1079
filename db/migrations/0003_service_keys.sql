-- Service keys: keys that belong to no carrier, issued by staff for the vendor's other services (a
-- billing job, a feature-flag relay) that read across every carrier. Read-only by construction: a key
-- without a carrier may hold only carrier:read and enablements:read, whatever the code above says.
alter table api_keys alter column carrier_id drop not null;
alter table api_keys add constraint api_keys_service_keys_read_only
    check (carrier_id is not null or scopes <@ array['carrier:read', 'enablements:read']::text[]);
-- A retried createServiceKey with the same idempotency key finds the first key (carrier keys have theirs
-- per carrier, api_keys_idempotency_key).
create unique index api_keys_service_idempotency_key on api_keys (idempotency_key)
    where carrier_id is null and idempotency_key is not null;
create index api_keys_service_idx on api_keys (created_at, id) where carrier_id is null;
