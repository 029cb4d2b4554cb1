-- staging_orders without its index on the file id, like staging_order_lines (sql/003, sql/013).
--
-- Every row of a grouping carries its file's id, so the index took one entry per order, written
-- row by row on the load's first step, where the grouping is one of the two steps side by side
-- (BENCHMARKS.md has the figures). What reads the table by file id reads a file's whole grouping
-- (a chunk's orders, the clearing of a finished file) or stops at its first row (the check that a
-- file is grouped), and the table holds only the files being loaded at the moment: a scan of it
-- is what those reads need anyway.
drop index staging_orders_ingestion_file_id_idx;
