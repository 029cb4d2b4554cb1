import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createDatabasePool } from '../../src/db/pool.ts';
import { lockReferencedRows, skipPerRowReferenceChecks } from '../../src/db/referenced-rows.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The load's bulk writes check their foreign keys once per referenced row (src/db/referenced-rows.ts).
 * That is only as safe as the per-row checks if the referenced rows are locked the same way, and
 * it must fall back to the per-row checks for a role that may not turn them off.
 */
const idRow = z.object({ id: z.string() });

let database: TestDatabase;
let productId: string;
let restrictedRole: string;
let restrictedPool: DatabasePool;

beforeAll(async () => {
  database = await createTestDatabase('refs');
  ({ id: productId } = await database.pool.one(sql.type(idRow)`
    insert into products (sku, name, category, base_price) values ('SKU-REF', 'Lamp', 'home', 10) returning id`));
  // A role like a production application's: it may write the tables but not change
  // session_replication_role, which needs a superuser or a grant.
  restrictedRole = `pipeforge_writer_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await database.pool.query(sql.unsafe`create role ${sql.identifier([restrictedRole])} login password ${sql.literalValue(password)}`);
  await database.pool.query(sql.unsafe`grant select, insert, update, delete on all tables in schema public to ${sql.identifier([restrictedRole])}`);
  const url = new URL(database.url);
  url.username = restrictedRole;
  url.password = password;
  restrictedPool = await createDatabasePool({ url: url.toString(), poolSize: 1 });
});

afterAll(async () => {
  await restrictedPool?.end();
  if (database) {
    await database.pool.query(sql.unsafe`drop owned by ${sql.identifier([restrictedRole])}`).catch(() => {});
    await database.drop();
    await database.pool.query(sql.unsafe`drop role if exists ${sql.identifier([restrictedRole])}`).catch(() => {});
  }
});

/** An order line whose order does not exist: what a per-row check refuses. */
function insertOrphanLine(pool: Pick<DatabasePool, 'query'>) {
  return pool.query(sql.unsafe`
    insert into order_items (order_id, product_id, quantity, price, subtotal)
    values (gen_random_uuid(), ${productId}, 1, 10, 10)`);
}

describe('checking references once per referenced row', () => {
  it('keeps a locked row from being deleted until the bulk write commits', async () => {
    let releaseWrite!: () => void;
    const writeMayCommit = new Promise<void>((resolve) => (releaseWrite = resolve));
    let locked!: () => void;
    const rowLocked = new Promise<void>((resolve) => (locked = resolve));
    const write = database.pool.transaction(async (tx) => {
      await lockReferencedRows(tx, 'products', sql.fragment`select ${productId}::uuid`);
      locked();
      await writeMayCommit;
    });
    await rowLocked;

    const deleteWhileLocked = database.pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`set local lock_timeout = '300ms'`);
      await tx.query(sql.unsafe`delete from products where id = ${productId}`);
    });
    await expect(deleteWhileLocked).rejects.toThrow(/lock timeout/);

    releaseWrite();
    await write;
    // Released at commit: the same delete now goes through (and is undone, the product is needed below).
    await expect(
      database.pool.transaction(async (tx) => {
        await tx.query(sql.unsafe`set local lock_timeout = '300ms'`);
        await tx.query(sql.unsafe`delete from products where id = ${productId}`);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
  });

  it('fails when a referenced row no longer exists', async () => {
    await expect(
      database.pool.transaction((tx) =>
        lockReferencedRows(tx, 'products', sql.fragment`select ${productId}::uuid union all select gen_random_uuid()`),
      ),
    ).rejects.toThrow('1 products row(s) referenced by this load were deleted while it ran');
  });

  it('turns the per-row checks off for the rest of the transaction where the role may', async () => {
    await expect(
      database.pool.transaction(async (tx) => {
        await skipPerRowReferenceChecks(tx);
        await insertOrphanLine(tx);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    // The next transaction on the same connections checks every row again.
    await expect(insertOrphanLine(database.pool)).rejects.toThrow(/foreign key/);
  });

  it('leaves the per-row checks on for a role that may not turn them off', async () => {
    await expect(
      restrictedPool.transaction(async (tx) => {
        await skipPerRowReferenceChecks(tx);
        await insertOrphanLine(tx);
      }),
    ).rejects.toThrow(/foreign key/);
  });
});
