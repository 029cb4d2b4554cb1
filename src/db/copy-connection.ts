import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { connectPgClient } from './pg-client.ts';

/**
 * A connection of its own for COPY ... FROM STDIN, the fastest way into PostgreSQL: slonik has no
 * COPY, so bulk rows take this plain driver connection while every other statement goes through
 * the typed pool. A `copy` call outside `inTransaction` is one statement, so it commits or rolls
 * back whole.
 */
export type CopyConnection = {
  /** Streams COPY data in the statement's format (copy-binary.ts) into `statement`; resolves with the rows copied. */
  copy(statement: string, rows: Uint8Array): Promise<number>;
  /** A plain statement with $n parameters; resolves with the rows it returned or changed. */
  query(statement: string, values: readonly unknown[]): Promise<number>;
  /** Runs `work` between BEGIN and COMMIT, or ROLLBACK when it throws. */
  inTransaction(work: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
};

export async function openCopyConnection(databaseUrl: string): Promise<CopyConnection> {
  const client = await connectPgClient(databaseUrl, 'pipeforge-copy');
  return {
    async copy(statement, rows) {
      const stream = client.query(copyFrom(statement));
      // A Buffer over the same memory: the stream takes Buffers, and a copy would only cost.
      await pipeline(Readable.from([Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength)]), stream);
      return stream.rowCount ?? 0;
    },
    async query(statement, values) {
      const result = await client.query(statement, [...values]);
      return result.rowCount ?? 0;
    },
    async inTransaction(work) {
      await client.query('begin');
      try {
        await work();
      } catch (error) {
        // A connection that broke mid-transaction has nothing left to roll back.
        await client.query('rollback').catch(() => {});
        throw error;
      }
      await client.query('commit');
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}
