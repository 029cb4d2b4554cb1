import type { Logger } from '../../logger.ts';
import { UsageError } from '../../errors.ts';
import { CommandError } from '../command-error.ts';
import { out } from '../output.ts';
import { commandHelp, groupHelp, usageLine } from './help.ts';
import { parseCommandLine, wantsHelp } from './parse.ts';
import type { CommandGroupSpec, CommandSpec, ParsedCommandLine } from './spec.ts';
import { didYouMean } from './suggest.ts';

/** How cli.ts calls a command: the words after its name, and the CLI's logger. */
export type CommandRun = (args: string[], logger: Logger) => Promise<number>;

type Body<S extends CommandSpec> = (parsed: ParsedCommandLine<S>, logger: Logger) => Promise<number>;

/** The one line a usage error prints: what is wrong, the usage, and where to read more. */
export function usageProblem(path: string, spec: CommandSpec | CommandGroupSpec, message: string): string {
  const usage = 'subcommands' in spec ? `pipeforge ${path} SUBCOMMAND [options]` : usageLine(path, spec);
  return `pipeforge ${path}: ${message} (usage: ${usage}; --help for more)`;
}

/**
 * What the words after a command name ask for: its help, or a run of the command (or of the
 * subcommand they name) with the rest of the words. Throws UsageError for a missing or unknown
 * subcommand.
 */
export type Resolution = { help: string } | { help: null; path: string; spec: CommandSpec; args: string[] };

export function resolveCommandLine(name: string, spec: CommandSpec | CommandGroupSpec, args: readonly string[]): Resolution {
  if (!('subcommands' in spec)) {
    return wantsHelp(spec, args) ? { help: commandHelp(name, spec) } : { help: null, path: name, spec, args: [...args] };
  }
  const [sub, ...rest] = args;
  const names = Object.keys(spec.subcommands);
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    if (sub === undefined) throw new UsageError(`missing SUBCOMMAND: one of ${names.join(', ')}`);
    return { help: groupHelp(name, spec) };
  }
  const chosen = Object.hasOwn(spec.subcommands, sub) ? spec.subcommands[sub] : undefined;
  if (!chosen) {
    const what = sub.startsWith('-') ? `expected a SUBCOMMAND before options, got ${sub}` : `unknown subcommand ${sub}`;
    throw new UsageError(`${what}${didYouMean(sub, names) || `; one of ${names.join(', ')}`}`);
  }
  const path = `${name} ${sub}`;
  return wantsHelp(chosen, rest) ? { help: commandHelp(path, chosen) } : { help: null, path, spec: chosen, args: rest };
}

/** `--debug` or LOG_LEVEL=debug: every error goes up to the CLI, which prints its stack. */
function debugging(values: Record<string, unknown>): boolean {
  return values.debug === true || ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
}

/**
 * Runs a body with parsed arguments. Usage errors (exit 2) and the problems a person can fix
 * (CommandError) are answered here in one line, so a command run in-process reports them as the
 * CLI would; anything else goes up to the CLI's own handler.
 */
async function runParsed<S extends CommandSpec>(path: string, spec: S, args: string[], body: Body<S>, logger: Logger): Promise<number> {
  let parsed: ParsedCommandLine<S>;
  try {
    parsed = parseCommandLine(spec, args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(usageProblem(path, spec, error.message));
    return 2;
  }
  try {
    return await body(parsed, logger);
  } catch (error) {
    if (debugging(parsed.values)) throw error;
    if (error instanceof UsageError) {
      out.error(usageProblem(path, spec, error.message));
      return 2;
    }
    if (error instanceof CommandError) {
      out.error(`pipeforge: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

export function commandRunner<S extends CommandSpec>(name: string, spec: S, body: Body<S>): CommandRun {
  return async (args, logger) => {
    if (wantsHelp(spec, args)) {
      out.line(commandHelp(name, spec));
      return 0;
    }
    return runParsed(name, spec, args, body, logger);
  };
}

export type GroupBodies<G extends CommandGroupSpec> = { [K in keyof G['subcommands']]: Body<G['subcommands'][K]> };

export function groupRunner<G extends CommandGroupSpec>(name: string, group: G, bodies: GroupBodies<G>): CommandRun {
  return async (args, logger) => {
    let resolution: Resolution;
    try {
      resolution = resolveCommandLine(name, group, args);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      out.error(usageProblem(name, group, error.message));
      return 2;
    }
    if (resolution.help !== null) {
      out.line(resolution.help);
      return 0;
    }
    const sub = resolution.path.slice(name.length + 1) as keyof G['subcommands'];
    const body = bodies[sub] as Body<CommandSpec>;
    return runParsed(resolution.path, resolution.spec, resolution.args, body, logger);
  };
}
