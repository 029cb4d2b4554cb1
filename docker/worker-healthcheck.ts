/**
 * Healthcheck of the worker container: healthy only if the Temporal server has seen a worker in
 * *this* container poll the task queue recently. A process that is alive but lost its connection,
 * or never started polling, is reported unhealthy, which `docker compose ps` shows.
 *
 * The worker is recognised by its identity, which the SDK makes `<pid>@<hostname>` unless the
 * worker sets one; a healthcheck runs inside the container it checks, so the hostnames agree.
 *
 * Run as `node docker/worker-healthcheck.ts` from the image's /app (see docker-compose.yml).
 */
import { hostname } from 'node:os';
import { Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import { loadTemporalConfig } from '../src/config.ts';

/** Long polls last about a minute, so an idle but healthy worker's last poll can be that old. */
const MAX_POLL_AGE_MS = 2 * 60_000;
const DEADLINE_MS = 5_000;

const config = loadTemporalConfig();
const connection = await Connection.connect({ address: config.address, connectTimeout: DEADLINE_MS });
try {
  const { pollers } = await connection.withDeadline(Date.now() + DEADLINE_MS, () =>
    connection.workflowService.describeTaskQueue({
      namespace: config.namespace,
      taskQueue: { name: config.taskQueue },
    }),
  );
  const me = hostname();
  const now = Date.now();
  const polling = pollers.some(
    (poller) =>
      (poller.identity ?? '').includes(me) &&
      poller.lastAccessTime != null &&
      now - tsToMs(poller.lastAccessTime) < MAX_POLL_AGE_MS,
  );
  if (!polling) {
    process.stderr.write(`no worker on ${me} polled task queue ${config.taskQueue} in the last 2 minutes\n`);
    process.exitCode = 1;
  }
} finally {
  await connection.close();
}
