import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { connectPgClient } from './pg-client.ts';

/**
 * A connection of its own for COPY ... FROM STDIN, the fastest way into PostgreSQL: slonik has no
 * COPY, so bulk rows take this plain driver connection while every other statement goes through
 * the typed pool. Each `copy` call is one statement, so it commits or rolls back whole.
 */
export type CopyConnection = {
  /** Streams COPY data in the statement's format (copy-binary.ts) into `statement`; resolves with the rows copied. */
  copy(statement: string, rows: Uint8Array): Promise<number>;
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
    async close() {
      await client.end().catch(() => {});
    },
  };
}
