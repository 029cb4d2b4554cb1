-- Staging without its primary key, each part of a file's parse written by one claimed writer.
--
-- The (file, line) key cost the staging COPY about as much as the rows themselves (BENCHMARKS.md),
-- and its only duty left was to refuse a second copy of a line: written by an attempt of a parse
-- that Temporal had already given up on (a stalled worker) while a newer attempt wrote the same
-- part. That is now refused before the write instead: every COPY into staging runs in a
-- transaction that first holds its part's writer row here (for share) and finds its own writer
-- id in it. A new attempt of the part writes its own id into the row, which waits for a batch in
-- flight of the old one, and then removes what lies past its resume point; from then on the old
-- attempt's batches find another id and write nothing.
alter table staging_order_lines drop constraint staging_order_lines_pkey;

create table staging_part_writers (
  ingestion_file_id uuid not null,
  -- The part's first line: 0 for a file parsed whole, the range's first line for a part of one.
  first_line integer not null,
  writer uuid not null,
  primary key (ingestion_file_id, first_line)
);

-- Lines staged before this migration were written without a writer row. Each part they may belong
-- to gets one, so that a parse resumed after the upgrade still clears what lies past its resume
-- point rather than taking the part for one nobody wrote yet.
insert into staging_part_writers (ingestion_file_id, first_line, writer)
select staged.ingestion_file_id, 0, pipeforge_uuid()
from (select distinct ingestion_file_id from staging_order_lines) staged
union all
select r.ingestion_file_id, r.first_line_number, pipeforge_uuid()
from ingestion_parse_ranges r
where r.ingestion_file_id in (select ingestion_file_id from staging_order_lines)
on conflict do nothing;
