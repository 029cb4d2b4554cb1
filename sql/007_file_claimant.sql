-- The execution chain that claimed a file: the Temporal workflow's original run id, which a reset
-- from the Web UI keeps. A claim of a completed file by the chain that completed it is that
-- workflow run again, not a new submission of the same bytes, and reports what it loaded.
alter table ingestion_files add column claimed_by text;
