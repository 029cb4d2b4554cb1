-- Room on every page of customers for a new version of each of its rows. A load of returning
-- customers moves their first and last order dates (load-finish.ts), neither of which is indexed:
-- with free space on the page PostgreSQL writes the new version beside the old (a heap-only
-- update) and none of the table's three indexes gets a new entry. Half of each page, so that every
-- customer on it can be updated once before the old versions are pruned; a customer row is small,
-- and the table stays a few megabytes per hundred thousand customers. Only pages written from here
-- on are left half free; in an existing database the room comes as VACUUM frees old versions.
alter table customers set (fillfactor = 50);
