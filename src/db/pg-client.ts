import pg from 'pg';

/**
 * A plain driver connection of its own, for what the typed pool cannot send: COPY streams
 * (copy-connection.ts) and migration files of several statements each (migrate.ts).
 */
export async function connectPgClient(databaseUrl: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: applicationName });
  // A server that goes away mid-statement surfaces as that statement's own rejection; this only
  // keeps an idle connection's late error from crashing the process.
  client.on('error', () => {});
  await client.connect();
  return client;
}
