-- Ids for the rows of one bulk statement, drawn as a series: a fresh UUIDv7 whose last 40 bits are
-- replaced by the row's number in the statement. PostgreSQL's uuidv7() gathers strong random bytes
-- on every call, a large share of a bulk insert's time (BENCHMARKS.md); a series draws them once.
-- The ids stay time-ordered (the series starts at the statement's time and counts up, as RFC 9562's
-- counter method does) and unique: two series differ in their first 88 bits, 22 of them
-- random beside the sub-millisecond time, and the primary key would refuse a repeat all the same.

-- The first 22 hex digits of a fresh time-ordered id: evaluate once per statement.
create function pipeforge_uuid_series() returns text
language sql volatile as $$
  select left(replace(pipeforge_uuid()::text, '-', ''), 22)
$$;

-- The id numbered `n` (1, 2, ...) in `series`; inlined into the statement that calls it.
create function pipeforge_uuid_in_series(series text, n bigint) returns uuid
language sql immutable parallel safe as $$
  select (series || lpad(to_hex(n), 10, '0'))::uuid
$$;
