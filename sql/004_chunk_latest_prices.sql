-- Per chunk of a load, the latest of its lines for each product (by order date, then line id), taken
-- from the lines the chunk inserts as it inserts them. The load's last step moves base prices
-- forward from these rows instead of reading all of the file's lines again: 4.7 s of a million-line
-- load's last, single-threaded step, against well under a second per chunk, with the chunks side by side.
create table ingestion_chunk_latest_prices (
  ingestion_file_id uuid not null references ingestion_files (id) on delete cascade,
  chunk integer not null,
  product_id uuid not null,
  item_id uuid not null,
  price numeric(14, 2) not null,
  order_date timestamptz not null,
  primary key (ingestion_file_id, chunk, product_id)
);
