// First: every module the commands load lazily is then compiled once and cached (see the module).
import './compile-cache.ts';
import { UsageError } from '../errors.ts';
import { globalHelp, helpFor } from './command-line/help.ts';
import type { CommandGroupSpec, CommandSpec } from './command-line/spec.ts';
import { parseCommandLine } from './command-line/parse.ts';
import { resolveCommandLine, usageProblem } from './command-line/run.ts';
import { didYouMean } from './command-line/suggest.ts';
import { COMMANDS, COMMAND_LIST } from './commands-registry.ts';
import { applyDevEnv, type DevEnvState } from './dev-env.ts';
import { out } from './output.ts';

const HELP_WORDS = new Set(['help', '--help', '-h']);

/** The value, or null once a usage error was printed. */
function usageChecked<T>(path: string, spec: CommandSpec | CommandGroupSpec, check: () => T): T | null {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(usageProblem(path, spec, error.message));
    return null;
  }
}

function unknownCommand(name: string): number {
  out.error(`pipeforge: unknown command ${name}${didYouMean(name, Object.keys(COMMANDS))} (\`pipeforge help\` lists the commands)`);
  return 2;
}

/** `pipeforge help [COMMAND [SUBCOMMAND]]`. */
function help(topic: string[]): number {
  const [name, sub] = topic;
  if (name === undefined) {
    out.line(globalHelp(COMMAND_LIST.map(([commandName, command]) => [commandName, command.spec] as const)));
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return unknownCommand(name);
  const resolved = sub === undefined ? { help: helpFor(name, command.spec) } : usageChecked(name, command.spec, () => resolveCommandLine(name, command.spec, [sub, '--help']));
  if (resolved === null) return 2;
  out.line(resolved.help ?? helpFor(name, command.spec));
  return 0;
}

async function main(argv: string[], state: { devEnv: DevEnvState | null }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    out.error(`pipeforge: missing COMMAND (\`pipeforge help\` lists the commands)`);
    return 2;
  }
  if (HELP_WORDS.has(name)) return help(rest);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return unknownCommand(name);

  // The help and every mistake of the command line are answered before anything is read or
  // started: `demo --help` runs no demo, and a stale dev.env does not hide a typo.
  const resolved = usageChecked(name, command.spec, () => resolveCommandLine(name, command.spec, rest));
  if (resolved === null) return 2;
  if (resolved.help !== null) {
    out.line(resolved.help);
    return 0;
  }
  if (usageChecked(resolved.path, resolved.spec, () => parseCommandLine(resolved.spec, resolved.args)) === null) return 2;

  if (command.usesDevEnv) state.devEnv = await applyDevEnv();
  // Loaded only now (zod, pino): the help and usage errors above answer without them.
  const [{ createLogger }, { loadLogLevel }] = await Promise.all([import('../logger.ts'), import('../config.ts')]);
  // Logs go to stderr so that stdout stays the command's own output (tables, JSON).
  const level = loadLogLevel({ LOG_LEVEL: command.logLevel, ...process.env });
  const logger = createLogger(level, { component: 'cli' }, process.stderr);
  return command.run(rest, logger);
}

function debugRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const words = end === -1 ? argv : argv.slice(0, end);
  return words.includes('--debug') || ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
}

/**
 * Once the command is over nothing it started matters any more, but a client of a server that went
 * away may still be retrying (and polls on timers of its own): it must not hold the process open.
 */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 300).unref();
}

const argv = process.argv.slice(2);
const state: { devEnv: DevEnvState | null } = { devEnv: null };
main(argv, state).then(exitSoon, async (error: unknown) => {
  const { reportFailure } = await import('./report-failure.ts');
  exitSoon(reportFailure(error, { debug: debugRequested(argv), devEnv: state.devEnv }));
});
