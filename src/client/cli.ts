import { ConfigError, InvalidFileError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { loadLogLevel, type LogLevel } from '../config.ts';
import { devCommand } from './commands/dev.ts';
import { demoCommand } from './commands/demo.ts';
import { filesCommand } from './commands/files.ts';
import { generateCommand } from './commands/generate.ts';
import { ingestCommand } from './commands/ingest.ts';
import { migrateCommand } from './commands/migrate.ts';
import { provisionCommand } from './commands/provision.ts';
import { rejectsCommand } from './commands/rejects.ts';
import { cancelCommand } from './commands/cancel.ts';
import { retryCommand } from './commands/retry.ts';
import { statusCommand } from './commands/status.ts';
import { watchCommand } from './commands/watch.ts';
import { aggregateCommand } from './commands/aggregate.ts';
import { reportCommand } from './commands/report.ts';
import { scheduleCommand } from './commands/schedule.ts';
import { applyDevEnv } from './dev-env.ts';
import { out } from './output.ts';

type Command = {
  summary: string;
  run: (args: string[], logger: Logger) => Promise<number>;
  /** Whether missing variables are taken from the file `pipeforge dev` writes. */
  usesDevEnv: boolean;
  /** Commands whose output is the point stay quiet unless LOG_LEVEL asks otherwise. */
  logLevel?: LogLevel;
};

const COMMANDS: Record<string, Command> = {
  dev: { summary: 'start the local stack and a worker in the foreground [--fresh]', run: devCommand, usesDevEnv: false },
  demo: {
    summary: 'run the whole pipeline once on a throwaway local stack',
    run: demoCommand,
    usesDevEnv: false,
    logLevel: 'warn',
  },
  provision: { summary: 'build and cache the Temporal and MinIO binaries', run: provisionCommand, usesDevEnv: false },
  migrate: { summary: 'apply the SQL migrations in sql/', run: (_args, logger) => migrateCommand(logger), usesDevEnv: true },
  ingest: { summary: 'upload FILE... and start their ingestion [--wait] [--json]', run: ingestCommand, usesDevEnv: true },
  status: { summary: 'show an ingestion by workflow id, content hash or file id', run: statusCommand, usesDevEnv: true },
  generate: {
    summary: 'write a deterministic sample export: --rows N [--seed S] [--days D] [--out FILE]',
    run: generateCommand,
    usesDevEnv: false,
  },
  rejects: { summary: 'show the rejected lines of a file: FILE_ID [--limit N] [--json]', run: rejectsCommand, usesDevEnv: true },
  aggregate: {
    summary: 'recompute the daily rollup now and wait: --from D --to D | --last-days N [--json]',
    run: aggregateCommand,
    usesDevEnv: true,
  },
  schedule: {
    summary: 'rollup schedules: create NAME (--cron E | --every D) ..., list, describe|pause|unpause|trigger|delete NAME',
    run: scheduleCommand,
    usesDevEnv: true,
  },
  report: {
    summary: 'sales report: --from D --to D [--by day|category|payment|product] [--format table|csv|json]',
    run: reportCommand,
    usesDevEnv: true,
    logLevel: 'warn',
  },
  files: { summary: 'list recent ingestion files [--limit N] [--json]', run: filesCommand, usesDevEnv: true },
  retry: { summary: 'start a new attempt of a failed file ID [--wait] [--json]', run: retryCommand, usesDevEnv: true },
  cancel: { summary: 'cancel a running ingestion ID, leaving nothing of it behind', run: cancelCommand, usesDevEnv: true },
  watch: { summary: 'ingest every object dropped under a prefix [--prefix incoming/] [--json]', run: watchCommand, usesDevEnv: true },
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
