// First: every module the commands load lazily is then compiled once and cached (see the module).
import './compile-cache.ts';
import { ConfigError, InvalidFileError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { loadLogLevel, type LogLevel } from '../config.ts';
import { applyDevEnv } from './dev-env.ts';
import { out } from './output.ts';

type CommandRun = (args: string[], logger: Logger) => Promise<number>;

type Command = {
  summary: string;
  run: CommandRun;
  /** Whether missing variables are taken from the file `pipeforge dev` writes. */
  usesDevEnv: boolean;
  /** Commands whose output is the point stay quiet unless LOG_LEVEL asks otherwise. */
  logLevel?: LogLevel;
};

/**
 * A command's module, and everything it imports (the Temporal client, MinIO, slonik), loads only
 * when that command runs: loading them all cost every invocation over a second.
 */
function lazy<Name extends string>(load: () => Promise<Record<Name, CommandRun>>, name: Name): CommandRun {
  return async (args, logger) => (await load())[name](args, logger);
}

const COMMANDS: Record<string, Command> = {
  dev: {
    summary: 'start the local stack and a worker in the foreground [--fresh]',
    run: lazy(() => import('./commands/dev.ts'), 'devCommand'),
    usesDevEnv: false,
  },
  demo: {
    summary: 'run the whole pipeline once on a throwaway local stack',
    run: lazy(() => import('./commands/demo.ts'), 'demoCommand'),
    usesDevEnv: false,
    logLevel: 'warn',
  },
  provision: {
    summary: 'build and cache the Temporal and MinIO binaries',
    run: lazy(() => import('./commands/provision.ts'), 'provisionCommand'),
    usesDevEnv: false,
  },
  migrate: {
    summary: 'apply the SQL migrations in sql/',
    run: async (_args, logger) => (await import('./commands/migrate.ts')).migrateCommand(logger),
    usesDevEnv: true,
  },
  ingest: {
    summary: 'upload FILE... and start their ingestion [--wait] [--json]',
    run: lazy(() => import('./commands/ingest.ts'), 'ingestCommand'),
    usesDevEnv: true,
  },
  status: {
    summary: 'show an ingestion by workflow id, content hash or file id',
    run: lazy(() => import('./commands/status.ts'), 'statusCommand'),
    usesDevEnv: true,
  },
  generate: {
    summary: 'write a deterministic sample export: --rows N [--seed S] [--days D] [--ref-prefix P] [--out FILE]',
    run: lazy(() => import('./commands/generate.ts'), 'generateCommand'),
    usesDevEnv: false,
  },
  rejects: {
    summary: 'show the rejected lines of a file: FILE_ID [--limit N] [--json]',
    run: lazy(() => import('./commands/rejects.ts'), 'rejectsCommand'),
    usesDevEnv: true,
  },
  aggregate: {
    summary: 'recompute the daily rollup now and wait: --from D --to D | --last-days N [--json]',
    run: lazy(() => import('./commands/aggregate.ts'), 'aggregateCommand'),
    usesDevEnv: true,
  },
  schedule: {
    summary: 'rollup schedules: create NAME (--cron E | --every D) ..., list, describe|pause|unpause|trigger|delete NAME',
    run: lazy(() => import('./commands/schedule.ts'), 'scheduleCommand'),
    usesDevEnv: true,
  },
  report: {
    summary: 'sales report: --from D --to D [--by day|category|payment|product] [--format table|csv|json]',
    run: lazy(() => import('./commands/report.ts'), 'reportCommand'),
    usesDevEnv: true,
    logLevel: 'warn',
  },
  files: {
    summary: 'list recent ingestion files [--limit N] [--json]',
    run: lazy(() => import('./commands/files.ts'), 'filesCommand'),
    usesDevEnv: true,
  },
  retry: {
    summary: 'start a new attempt of a failed file ID [--wait] [--json]',
    run: lazy(() => import('./commands/retry.ts'), 'retryCommand'),
    usesDevEnv: true,
  },
  cancel: {
    summary: 'cancel a running ingestion ID, leaving nothing of it behind',
    run: lazy(() => import('./commands/cancel.ts'), 'cancelCommand'),
    usesDevEnv: true,
  },
  watch: {
    summary: 'ingest every object dropped under a prefix [--prefix incoming/] [--json]',
    run: lazy(() => import('./commands/watch.ts'), 'watchCommand'),
    usesDevEnv: true,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'usage: pipeforge COMMAND [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Configuration comes from the environment (see README); while `pipeforge dev` runs, other',
    'commands read the variables it wrote to .pipeforge/dev.env.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    out.line(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    out.error(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  if (command.usesDevEnv) await applyDevEnv();
  // Logs go to stderr so that stdout stays the command's own output (tables, JSON).
  const level = loadLogLevel({ LOG_LEVEL: command.logLevel, ...process.env });
  const logger = createLogger(level, { component: 'cli' }, process.stderr);
  return command.run(args, logger);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Problems a user can fix are reported in one line; anything else keeps its stack for a bug report.
    const known = error instanceof ConfigError || error instanceof InvalidFileError || isUserError(error);
    out.error(known ? `pipeforge: ${(error as Error).message}` : `pipeforge: ${String((error as Error)?.stack ?? error)}`);
    process.exitCode = 1;
  },
);

function isUserError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
