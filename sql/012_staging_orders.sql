-- One row per order of a file being loaded: its staged lines grouped by order_ref (the parse has
-- already moved every order whose lines disagree to the rejects, so the lines of an order agree on
-- date, customer and payment method). The load groups a file's lines here on a connection of its
-- own while its first transaction settles customers and products, and each chunk then reads the
-- orders from here instead of grouping a million lines on the load's own connection (load-chunk.ts).
--
-- Work rows like staging_order_lines, and like it without a foreign key (bulk-written): cleared
-- wherever the file's staged lines are (file-work-rows.ts).
create table staging_orders (
  ingestion_file_id uuid not null,
  order_ref text not null,
  order_date timestamptz not null,
  email_hash text not null,
  payment_method payment_method not null,
  total_amount numeric not null
);
create index staging_orders_ingestion_file_id_idx on staging_orders (ingestion_file_id);
