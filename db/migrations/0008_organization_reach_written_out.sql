-- The organization's reach test is written out in each statement that uses it (db/organizations.py,
-- in_reach): as a function holding a subquery, PostgreSQL never inlined it, called it for every row and
-- planned its body again at every execution. Nothing calls it any more.
drop function organization_in_scope(uuid, boolean, uuid[], uuid[]);
