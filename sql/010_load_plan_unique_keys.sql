-- A load that rebuilds indexes (load-rebuilding-indexes.ts) now also drops, and builds again, the
-- unique keys of orders and order_items that no foreign key depends on: the primary key of
-- order_items and the order_ref index of orders. That load holds both tables alone and writes only
-- rows that cannot conflict (ids drawn by PostgreSQL, one row per order_ref, replaced orders updated
-- in place), so no key decides anything while its rows go in, and building a key from the finished
-- table costs a fraction of maintaining it row by row. Should a duplicate appear all the same,
-- building the key again fails and the whole load rolls back. The primary key of orders stays: the
-- foreign key of order_items depends on it.
--
-- One function for every index such a load drops, secondary or unique, in the temporary table that
-- pipeforge_restore_indexes reads; pipeforge_suspend_secondary_indexes stays for workers of the
-- release before. The caller holds the table's access exclusive lock, so nobody sees it without them.
create function pipeforge_suspend_indexes(target regclass) returns integer
language plpgsql as $$
declare
  suspended record;
  dropped integer := 0;
begin
  create temporary table if not exists pipeforge_suspended_indexes (definition text not null) on commit drop;
  for suspended in
    select i.indexrelid::regclass as name, c.conname,
           case when c.oid is null then pg_get_indexdef(i.indexrelid)
                else format('alter table %s add constraint %I %s', target, c.conname, pg_get_constraintdef(c.oid))
           end as definition
    from pg_index i
    left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = target
    where i.indrelid = target
      and (c.oid is null or c.contype in ('p', 'u'))
      and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid)
    order by i.indexrelid
  loop
    insert into pipeforge_suspended_indexes (definition) values (suspended.definition);
    if suspended.conname is null then
      execute format('drop index %s', suspended.name);
    else
      execute format('alter table %s drop constraint %I', target, suspended.conname);
    end if;
    dropped := dropped + 1;
  end loop;
  return dropped;
end
$$;
