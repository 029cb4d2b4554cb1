import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from '../config.ts';

/** A client for the configured namespace; close it with `client.connection.close()`. */
export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.address, connectTimeout: '10 seconds' });
  return new Client({ connection, namespace: config.namespace });
}
