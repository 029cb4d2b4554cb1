-- The parts a file is parsed in, found while its bytes were hashed: each starts at a record
-- boundary, on a known physical line, so any worker can parse it on its own with the numbering of a
-- whole read. Only offsets and line numbers: the header is read again from the object, so no field
-- of the file (a header may be a data row with an email in it) is stored here.
create table ingestion_parse_ranges (
  ingestion_file_id uuid not null references ingestion_files (id) on delete cascade,
  range_index integer not null,
  start_offset bigint not null,
  end_offset bigint not null,
  first_line_number integer not null,
  primary key (ingestion_file_id, range_index)
);
