import { createSqlTag } from 'slonik';
import { z } from 'zod';

/**
 * The SQL tag every statement of PipeForge is written with. A statement that returns rows says
 * what they are with `sql.type(zodSchema)`; one that returns none says so with
 * `sql.typeAlias('void')`, one that takes advisory locks with `sql.typeAlias('lock')` and one that
 * changes a setting with `sql.typeAlias('setting')`, so that no statement goes out untyped
 * (`sql.unsafe`). Fragments are `sql.fragment` and take their types
 * from the statement they end up in.
 */
export const sql = createSqlTag({
  typeAliases: {
    void: z.object({}).strict(),
    /** An advisory lock taken `as locked`: the lock function returns void, which arrives as an empty string. */
    lock: z.object({ locked: z.string() }),
    /** A setting changed with `set_config(...) as value`, which returns the setting's new value. */
    setting: z.object({ value: z.string() }),
  },
});
