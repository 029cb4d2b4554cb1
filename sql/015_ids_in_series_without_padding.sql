-- Ids in series (sql/011) without padding the row's number: the series keeps the first 21 hex
-- digits of a fresh time-ordered id, and the row's number is added to 2^40 before it is written in
-- hex, which gives a '1' and then the number in exactly 10 digits. The same layout as before with
-- the 22nd digit fixed, and no lpad() per row, which was most of the function's time (BENCHMARKS.md).
-- Two series still differ in their first 84 bits, 18 of them random beside the sub-millisecond
-- time, and the primary key would refuse a repeat all the same.
--
-- New names rather than new bodies: code that drew a series from the old function within a
-- transaction still running when this migration commits goes on numbering it with the old one.

-- The first 21 hex digits of a fresh time-ordered id: evaluate once per statement.
create function pipeforge_id_series() returns text
language sql volatile as $$
  select left(replace(pipeforge_uuid()::text, '-', ''), 21)
$$;

-- The id numbered `n` (1, 2, ... below 2^40) in `series`; inlined into the statement that calls it.
create function pipeforge_id_in_series(series text, n bigint) returns uuid
language sql immutable parallel safe as $$
  select (series || to_hex(n + 1099511627776))::uuid
$$;
