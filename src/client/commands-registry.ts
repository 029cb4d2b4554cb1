import type { LogLevel } from '../config.ts';
import type { CommandRun } from './command-line/run.ts';
import type { CommandGroupSpec, CommandSpec } from './command-line/spec.ts';
import { AGGREGATE, REPORT, SCHEDULE } from './command-specs/aggregation.ts';
import { CANCEL, FILES, INGEST, REJECTS, RETRY, STATUS, WATCH } from './command-specs/ingestion.ts';
import { REVERT } from './command-specs/revert.ts';
import { DEMO, DEV, GENERATE, MIGRATE, PROVISION } from './command-specs/stack.ts';

export type Command = {
  spec: CommandSpec | CommandGroupSpec;
  run: CommandRun;
  /** Whether missing variables are taken from the file `pipeforge dev` writes. */
  usesDevEnv: boolean;
  /** Commands whose output is the point stay quiet unless LOG_LEVEL asks otherwise. */
  logLevel?: LogLevel;
};

/**
 * A command's module, and everything it imports (the Temporal client, MinIO, slonik), loads only
 * when that command runs: loading them all cost every invocation over a second. The specs are
 * plain data and load with the CLI, so help and usage errors need none of it.
 */
function lazy<Name extends string>(load: () => Promise<Record<Name, CommandRun>>, name: Name): CommandRun {
  return async (args, logger) => (await load())[name](args, logger);
}

/** In the order `pipeforge help` lists them. */
export const COMMAND_LIST: ReadonlyArray<readonly [string, Command]> = [
  ['dev', { spec: DEV, run: lazy(() => import('./commands/dev.ts'), 'devCommand'), usesDevEnv: false }],
  ['demo', { spec: DEMO, run: lazy(() => import('./commands/demo.ts'), 'demoCommand'), usesDevEnv: false, logLevel: 'warn' }],
  ['provision', { spec: PROVISION, run: lazy(() => import('./commands/provision.ts'), 'provisionCommand'), usesDevEnv: false }],
  ['migrate', { spec: MIGRATE, run: lazy(() => import('./commands/migrate.ts'), 'migrateCommand'), usesDevEnv: true }],
  ['ingest', { spec: INGEST, run: lazy(() => import('./commands/ingest.ts'), 'ingestCommand'), usesDevEnv: true }],
  ['status', { spec: STATUS, run: lazy(() => import('./commands/status.ts'), 'statusCommand'), usesDevEnv: true }],
  ['generate', { spec: GENERATE, run: lazy(() => import('./commands/generate.ts'), 'generateCommand'), usesDevEnv: false }],
  ['rejects', { spec: REJECTS, run: lazy(() => import('./commands/rejects.ts'), 'rejectsCommand'), usesDevEnv: true }],
  ['aggregate', { spec: AGGREGATE, run: lazy(() => import('./commands/aggregate.ts'), 'aggregateCommand'), usesDevEnv: true }],
  ['schedule', { spec: SCHEDULE, run: lazy(() => import('./commands/schedule.ts'), 'scheduleCommand'), usesDevEnv: true }],
  ['report', { spec: REPORT, run: lazy(() => import('./commands/report.ts'), 'reportCommand'), usesDevEnv: true, logLevel: 'warn' }],
  ['files', { spec: FILES, run: lazy(() => import('./commands/files.ts'), 'filesCommand'), usesDevEnv: true }],
  ['retry', { spec: RETRY, run: lazy(() => import('./commands/retry.ts'), 'retryCommand'), usesDevEnv: true }],
  ['cancel', { spec: CANCEL, run: lazy(() => import('./commands/cancel.ts'), 'cancelCommand'), usesDevEnv: true }],
  ['revert', { spec: REVERT, run: lazy(() => import('./commands/revert.ts'), 'revertCommand'), usesDevEnv: true }],
  ['watch', { spec: WATCH, run: lazy(() => import('./commands/watch.ts'), 'watchCommand'), usesDevEnv: true }],
];

export const COMMANDS: Readonly<Record<string, Command>> = Object.fromEntries(COMMAND_LIST);
