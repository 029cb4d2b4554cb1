import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadStorageConfig, loadTemporalConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { createObjectStore } from '../../storage/object-store.ts';
import { out } from '../output.ts';
import { terminalProgressDisplay } from '../progress/terminal-display.ts';
import { awaitSubmitted, startIngestion, uploadLocalFile } from '../submit-file.ts';
import { connectClient } from '../temporal-client.ts';

export async function ingestCommand(args: string[], _logger: Logger): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { wait: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length === 0) {
    out.error('usage: pipeforge ingest FILE... [--wait] [--json]');
    return 2;
  }
  for (const path of positionals) {
    await access(path).catch(() => {
      throw new Error(`${path}: no such file`);
    });
  }

  const temporal = loadTemporalConfig();
  const store = createObjectStore(loadStorageConfig());
  // The files upload while the client connects: for a small file the two take about as long.
  const connecting = connectClient(temporal);
  const uploading = (async () => {
    await store.ensureBucket();
    const inputs = [];
    for (const path of positionals) inputs.push(await uploadLocalFile(store, path));
    return inputs;
  })();
  const client = await connecting.catch(async (error: unknown) => {
    await uploading.catch(() => {});
    throw error;
  });
  try {
    const submitted = [];
    for (const input of await uploading) {
      const file = await startIngestion({ client, taskQueue: temporal.taskQueue }, input);
      submitted.push(file);
      if (!values.json) out.line(`${file.filename}: started ${file.workflowId}`);
    }
    if (!values.wait) {
      if (values.json) out.json(submitted.map(({ handle: _handle, ...file }) => file));
      return 0;
    }
    const display = values.json ? null : terminalProgressDisplay(submitted.map((file) => file.filename));
    const summaries = await Promise.all(
      submitted.map(async (file, index) => {
        const summary = await awaitSubmitted(file, (progress) => display?.update(index, progress));
        display?.finish(index, summary);
        return summary;
      }),
    );
    if (values.json) out.json(summaries);
    return summaries.some((summary) => summary.status === 'failed' || summary.status === 'cancelled') ? 1 : 0;
  } finally {
    await client.connection.close();
  }
}
