import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isPortFree } from '../../stack/ports.ts';
import type { StackPorts } from '../../stack/ports.ts';
import { commandRunner } from '../command-line/run.ts';
import { DEV } from '../command-specs/stack.ts';
import { devEnvPath, pipeforgeHome, writeDevEnv } from '../dev-env.ts';
import { startEmbeddedPipeline } from '../embedded-pipeline.ts';
import { out } from '../output.ts';
import { redactUrlPassword } from '../redact-url.ts';

/** The usual ports when they are free, so bookmarks and tools keep working across restarts. */
const PREFERRED_PORTS: StackPorts = { temporal: 7233, temporalUi: 8233, minio: 9000, minioConsole: 9001, postgres: 5433 };

export const devCommand = commandRunner('dev', DEV, async ({ values }, logger) => {
  const home = pipeforgeHome();
  const ports: Partial<StackPorts> = {};
  for (const [name, port] of Object.entries(PREFERRED_PORTS) as Array<[keyof StackPorts, number]>) {
    if (await isPortFree(port)) ports[name] = port;
  }

  out.line(values.fresh ? 'Starting the local stack from an empty state...' : 'Starting the local stack...');
  const pipeline = await startEmbeddedPipeline({ dataDir: join(home, 'data'), fresh: values.fresh, ports, logger });
  const envPath = devEnvPath();
  try {
    await writeDevEnv(envPath, pipeline.stack.env);
    const { env } = pipeline.stack;
    out.line('');
    out.line(`  Temporal UI      ${env.TEMPORAL_UI_URL}`);
    out.line(`  Temporal         ${env.TEMPORAL_ADDRESS}  (namespace ${env.TEMPORAL_NAMESPACE})`);
    out.line(`  MinIO            ${env.MINIO_ENDPOINT}  (bucket ${env.MINIO_BUCKET}; console ${pipeline.stack.minioConsoleUrl})`);
    out.line(`  PostgreSQL       ${redactUrlPassword(env.DATABASE_URL)}`);
    out.line(`  Data             ${join(home, 'data')}`);
    out.line('');
    out.line(`Variables for other terminals are in ${envPath} (pipeforge reads it by itself;`);
    out.line(`for other tools: set -a; . ${envPath}; set +a). Worker running; Ctrl-C stops everything.`);
    await pipeline.worker.run();
    return 0;
  } finally {
    out.line('Stopping...');
    await rm(envPath, { force: true });
    await pipeline.close();
    out.line('Stopped.');
  }
});
