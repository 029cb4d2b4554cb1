-- What a load keeps so that its file can be reverted exactly (`pipeforge revert`), and the state of
-- a reverted file.

alter table ingestion_files drop constraint ingestion_files_status_check;
alter table ingestion_files add constraint ingestion_files_status_check
  check (status in ('pending', 'processing', 'completed', 'failed', 'reverted'));
alter table ingestion_files add column reverted_at timestamptz;
alter table ingestion_files add column revert_reason text;
-- What the revert changed, kept so that asking again reports it instead of doing anything.
alter table ingestion_files add column revert_outcome jsonb;
-- The order loads applied their customers and products in (taken at the end of the load's first
-- transaction, after its row locks): the rules "the last file loaded wins" are replayed in it.
-- Null for a file loaded before this migration, which kept nothing and cannot be reverted.
alter table ingestion_files add column load_seq bigint;
create sequence ingestion_load_seq;

-- A reverted file's content may be ingested again as a new file, beside the reverted row.
drop index ingestion_files_content_hash_key;
create unique index ingestion_files_content_hash_key on ingestion_files (content_hash) where status <> 'reverted';

-- The stored version of an order as it was just before a load replaced it, tagged with the
-- replacing file: per order_ref a chain from version to version, which a revert restores from or
-- relinks around. No foreign keys: the customers and products it names stay as long as the file
-- it came from (source_file_id) contributes them, and a first load into an empty database writes
-- nothing here.
create table revert_kept_orders (
  replaced_by_file_id uuid not null references ingestion_files (id) on delete cascade,
  order_ref text not null,
  order_id uuid not null,
  order_date timestamptz not null,
  customer_id uuid not null,
  total_amount numeric(14, 2) not null,
  payment_method payment_method not null,
  source_file_id uuid,
  primary key (replaced_by_file_id, order_ref)
);

create table revert_kept_order_items (
  replaced_by_file_id uuid not null references ingestion_files (id) on delete cascade,
  order_ref text not null,
  item_id uuid not null,
  product_id uuid not null,
  quantity integer not null,
  price numeric(14, 2) not null,
  subtotal numeric(14, 2) not null,
  primary key (replaced_by_file_id, order_ref, item_id)
);

-- Each file's own view of its customers: the region its latest line naming one gives and that
-- line's date, so the region rule can be replayed without a reverted file (the customer's stored
-- orders before each load come from the order versions above). Keyed by customer first: a revert
-- reads every file's row of a customer.
-- Rows with no file (load_seq 0) stand for what the database held before this migration.
-- No foreign key: a per-row check would cost the load's first transaction a lookup per customer,
-- and these rows are written only once a load has begun to commit, after which no file row is
-- ever deleted (a discard only removes files whose load never started).
create table revert_file_customers (
  email_hash text not null,
  ingestion_file_id uuid,
  load_seq bigint not null,
  region text,
  region_at timestamptz
);
create unique index revert_file_customers_key on revert_file_customers (email_hash, ingestion_file_id);

-- Each file's name and category for its skus (from its last line for the sku); no foreign key, as above.
create table revert_file_products (
  sku text not null,
  ingestion_file_id uuid,
  load_seq bigint not null,
  name text not null,
  category text not null
);
create unique index revert_file_products_key on revert_file_products (sku, ingestion_file_id);

insert into revert_file_customers (email_hash, ingestion_file_id, load_seq, region, region_at)
select email_hash, null, 0, region, last_order_at from customers;
insert into revert_file_products (sku, ingestion_file_id, load_seq, name, category)
select sku, null, 0, name, category from products;
