-- Faster staging and a load split into chunks that commit on their own.

-- Staging is written by COPY as fast as the parser reads. Per-row foreign-key checks cost more than
-- the rows themselves, and its rows never outlive their file (the load and a cancel delete them);
-- no statement looks staging up by order_ref alone, so that index only slowed every write.
alter table staging_order_lines drop constraint staging_order_lines_ingestion_file_id_fkey;
drop index staging_order_lines_order_ref_idx;

-- When the load began to commit. From then on parts of the file are in the base tables, so a
-- cancel can no longer undo it and the load is carried through to the end instead.
alter table ingestion_files add column load_started_at timestamptz;

-- The chunks of a file's load that have committed, with what each changed: a retried load skips
-- them, and the load's last step adds up their rows and business dates. Rows keyed by chunk, so
-- chunks committing side by side never wait on each other's bookkeeping.
create table ingestion_load_chunks (
  ingestion_file_id uuid not null references ingestion_files (id) on delete cascade,
  chunk integer not null,
  rows_loaded integer,
  orders_loaded integer,
  affected_dates date[],
  primary key (ingestion_file_id, chunk)
);

-- Customers whose first and last order dates a chunk may change: its own customers and those its
-- replacement orders were taken from. The load's last step recomputes exactly these.
create table ingestion_touched_customers (
  ingestion_file_id uuid not null references ingestion_files (id) on delete cascade,
  chunk integer not null,
  customer_id uuid not null,
  primary key (ingestion_file_id, chunk, customer_id)
);

-- Which order line the base price comes from (the latest by order date, then by line id), so a load
-- updates it from its own lines instead of rereading every line of every product it touches.
alter table products add column base_price_at timestamptz;
alter table products add column base_price_item_id uuid;
update products p
set base_price = latest.price, base_price_at = latest.order_date, base_price_item_id = latest.id
from (
  select distinct on (oi.product_id) oi.product_id, oi.id, oi.price, o.order_date
  from order_items oi
  join orders o on o.id = oi.order_id
  order by oi.product_id, o.order_date desc, oi.id desc
) latest
where p.id = latest.product_id;

-- Products whose base price came from a line a chunk deleted (its order was replaced): the load's
-- last step recomputes these from all their lines.
alter table ingestion_load_chunks add column stale_price_products uuid[];

-- Staging is analysed after every parse (a freshly written table otherwise looks empty to the
-- planner). Its plans need row counts, not value distributions: a small sample keeps that analyse
-- cheap even while the table still holds the dead rows of a large file loaded before.
alter table staging_order_lines
  alter column order_ref set statistics 10,
  alter column order_date set statistics 10,
  alter column email_hash set statistics 10,
  alter column customer_region set statistics 10,
  alter column sku set statistics 10,
  alter column product_name set statistics 10,
  alter column category set statistics 10,
  alter column quantity set statistics 10,
  alter column unit_price set statistics 10,
  alter column payment_method set statistics 10,
  alter column ingestion_file_id set statistics 10,
  alter column line_number set statistics 10;

-- Per business day: how many loads have changed it (version) and the version its rollup rows were
-- last recomputed at. A file's aggregate stage skips a day whose rollup was recomputed after the
-- file's load committed, typically by another file's aggregate stage that waited for the same day:
-- files touching the same days at once then recompute each day about once instead of once each.
-- A day starts out changed (1 against 0), so one loaded before this table existed is recomputed.
create table sales_aggregate_day_versions (
  date date primary key,
  version bigint not null default 1,
  aggregated_version bigint not null default 0
);
