-- Two changes of the load (load-plan.ts, load-chunk.ts), applied together.

-- A load that brings at least as many lines as order_items already holds writes orders and lines
-- with their secondary indexes dropped and rebuilds them at the end, inside its one transaction:
-- building an index from sorted rows costs far less than inserting each row's entry, once the file
-- is a large part of the table. The unique and primary-key indexes stay, since they decide
-- conflicts. The choice is taken once per file, by the load's first transaction, and kept here so
-- that a retried load splits the file the same way.
alter table ingestion_files add column load_rebuilds_indexes boolean;

-- Drops the secondary (non-unique, not constraint-backed) indexes of a table, remembering their
-- definitions in a temporary table that pipeforge_restore_indexes reads in the same transaction.
-- The caller holds the table's access exclusive lock, so nobody sees it without them.
create function pipeforge_suspend_secondary_indexes(target regclass) returns integer
language plpgsql as $$
declare
  suspended record;
  dropped integer := 0;
begin
  create temporary table if not exists pipeforge_suspended_indexes (definition text not null) on commit drop;
  for suspended in
    select i.indexrelid::regclass as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i
    where i.indrelid = target
      and not i.indisunique
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
    order by i.indexrelid
  loop
    insert into pipeforge_suspended_indexes (definition) values (suspended.definition);
    execute format('drop index %s', suspended.name);
    dropped := dropped + 1;
  end loop;
  return dropped;
end
$$;

-- Builds again every index pipeforge_suspend_secondary_indexes dropped in this transaction.
create function pipeforge_restore_indexes() returns integer
language plpgsql as $$
declare
  suspended record;
  built integer := 0;
begin
  if to_regclass('pg_temp.pipeforge_suspended_indexes') is null then
    return 0;
  end if;
  for suspended in delete from pg_temp.pipeforge_suspended_indexes returning definition loop
    execute suspended.definition;
    built := built + 1;
  end loop;
  return built;
end
$$;

-- A chunk's latest line per product is chosen by order date, then line number (the contract's
-- tie-break within a file); the line number is kept so that the load's last step breaks a tie
-- between chunks the same way.
alter table ingestion_chunk_latest_prices add column line_number integer;
