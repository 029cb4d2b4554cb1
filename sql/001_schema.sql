-- PipeForge core schema: the six tables of the design seed.
--
-- Notes on choices the seed leaves open:
-- * Ids come from pipeforge_uuid(), a time-ordered UUIDv7 (built in from PostgreSQL 18, a SQL
--   equivalent before), so new rows land at the right edge of their indexes.
-- * Money is numeric with 2 decimals, never a float.
-- * customers.email_hash is unique: it is the natural key the loader upserts on.
-- * orders.ingestion_file_id records lineage (the ERD's ingestion_files ||--o{ orders).
-- * sales_aggregates_daily.payment_method is text, as the seed lists it; its values are the enum's.

do $$
begin
  if current_setting('server_version_num')::int >= 180000 then
    execute 'create or replace function pipeforge_uuid() returns uuid language sql volatile as $f$ select uuidv7() $f$';
  else
    -- UUIDv7 layout: 48-bit Unix milliseconds, then version and variant bits over random bits.
    execute $f$
      create or replace function pipeforge_uuid() returns uuid language sql volatile as $body$
        select encode(
          set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                    from 1 for 6),
            52, 1), 53, 1),
          'hex')::uuid
      $body$
    $f$;
  end if;
end
$$;

create type payment_method as enum ('mpesa', 'paystack', 'card', 'bank_transfer', 'other');

create table customers (
  id uuid primary key default pipeforge_uuid(),
  email_hash text not null,
  region text,
  first_order_at timestamptz,
  last_order_at timestamptz,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index customers_email_hash_key on customers (email_hash);
create index customers_region_idx on customers (region);

create table products (
  id uuid primary key default pipeforge_uuid(),
  sku text not null,
  name text not null,
  category text not null,
  base_price numeric(14, 2) not null check (base_price >= 0),
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index products_sku_key on products (sku);
create index products_category_idx on products (category);

create table ingestion_files (
  id uuid primary key default pipeforge_uuid(),
  filename text not null,
  file_path text not null,
  content_hash text not null,
  status text not null default 'pending'
    check (status in ('pending', 'processing', 'completed', 'failed')),
  total_rows integer,
  processed_rows integer,
  failed_rows integer,
  error_message text,
  started_at timestamptz,
  completed_at timestamptz,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index ingestion_files_content_hash_key on ingestion_files (content_hash);
create index ingestion_files_status_idx on ingestion_files (status);
create index ingestion_files_inserted_at_idx on ingestion_files (inserted_at);

create table orders (
  id uuid primary key default pipeforge_uuid(),
  order_ref text not null,
  order_date timestamptz not null,
  customer_id uuid not null references customers (id) on delete restrict,
  total_amount numeric(14, 2) not null check (total_amount >= 0),
  payment_method payment_method not null,
  ingestion_file_id uuid references ingestion_files (id) on delete restrict,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index orders_order_ref_key on orders (order_ref);
create index orders_order_date_idx on orders (order_date);
create index orders_customer_id_idx on orders (customer_id);
create index orders_payment_method_idx on orders (payment_method);
create index orders_ingestion_file_id_idx on orders (ingestion_file_id);

create table order_items (
  id uuid primary key default pipeforge_uuid(),
  order_id uuid not null references orders (id) on delete cascade,
  product_id uuid not null references products (id) on delete restrict,
  quantity integer not null check (quantity >= 1),
  price numeric(14, 2) not null check (price >= 0),
  subtotal numeric(14, 2) not null check (subtotal >= 0),
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index order_items_order_id_idx on order_items (order_id);
create index order_items_product_id_idx on order_items (product_id);

create table sales_aggregates_daily (
  date date not null,
  product_id uuid not null references products (id) on delete restrict,
  category text not null,
  payment_method text not null,
  total_revenue numeric(16, 2) not null,
  total_units integer not null,
  order_count integer not null,
  unique_customers integer not null,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (date, product_id, category, payment_method)
);
create index sales_aggregates_daily_date_idx on sales_aggregates_daily (date desc);
create index sales_aggregates_daily_product_id_idx on sales_aggregates_daily (product_id);
create index sales_aggregates_daily_category_idx on sales_aggregates_daily (category);
create index sales_aggregates_daily_payment_method_idx on sales_aggregates_daily (payment_method);

-- A hypertable where TimescaleDB is installed and preloaded; a plain table otherwise. Every query
-- PipeForge runs works on both.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'timescaledb')
     and current_setting('shared_preload_libraries', true) like '%timescaledb%' then
    create extension if not exists timescaledb;
    perform create_hypertable('sales_aggregates_daily', 'date',
                              chunk_time_interval => interval '30 days',
                              create_default_indexes => false,
                              if_not_exists => true);
  end if;
end
$$;
