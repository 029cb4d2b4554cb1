-- Tables the pipeline itself needs beyond the seed.

-- When the load stage committed. Set in the same transaction as the load, it makes a retried load
-- a no-op: the stage reads its earlier result instead of applying the file twice.
alter table ingestion_files add column loaded_at timestamptz;

-- Validated order lines of one file between the parse and load stages. Keyed by (file, line) so a
-- retried or resumed parse writes each line once. Emails are already hashed here.
create table staging_order_lines (
  ingestion_file_id uuid not null references ingestion_files (id) on delete cascade,
  line_number integer not null,
  order_ref text not null,
  order_date timestamptz not null,
  email_hash text not null,
  customer_region text,
  sku text not null,
  product_name text not null,
  category text not null,
  quantity integer not null,
  unit_price numeric(14, 2) not null,
  payment_method payment_method not null,
  primary key (ingestion_file_id, line_number)
);
create index staging_order_lines_order_ref_idx on staging_order_lines (ingestion_file_id, order_ref);

-- Why each rejected line was refused: one row per broken column. Never holds the raw email.
create table ingestion_rejects (
  ingestion_file_id uuid not null references ingestion_files (id) on delete cascade,
  line_number integer not null,
  column_name text not null,
  reason text not null,
  inserted_at timestamptz not null default now(),
  primary key (ingestion_file_id, line_number, column_name)
);

-- Business dates whose aggregates a file's load changed: the dates it brought, the dates that
-- replaced orders left, and every date of a product whose category changed. Written by the load
-- transaction, read by the aggregate stage, so a retry of either sees the same set.
create table ingestion_affected_dates (
  ingestion_file_id uuid not null references ingestion_files (id) on delete cascade,
  business_date date not null,
  primary key (ingestion_file_id, business_date)
);
