import { inspect } from 'node:util';
import { loadDatabaseConfig, loadStorageConfig, loadTemporalConfig } from '../config.ts';
import { ConfigError, InvalidFileError } from '../errors.ts';
import { StackSetupError } from '../stack/stack-setup-error.ts';
import { UsageError } from '../errors.ts';
import { CommandError } from './command-error.ts';
import { displayPath, type DevEnvState } from './dev-env.ts';
import { out } from './output.ts';
import { databaseEndpoint, ServiceUnreachableError, storageEndpoint, temporalEndpoint, type Endpoint } from './reachability.ts';

export type FailureContext = {
  /** `--debug` or LOG_LEVEL=debug: the stack trace follows the line. */
  debug: boolean;
  /** The file `pipeforge dev` writes, when the command reads it. */
  devEnv: DevEnvState | null;
};

/** Prints one line for the error (and, in debug mode, its stack) and returns the exit code. */
export function reportFailure(error: unknown, context: FailureContext): number {
  const { line, code, expected } = describeFailure(error, context);
  out.error(`pipeforge: ${line}${expected || context.debug ? '' : ' (run again with --debug for details)'}`);
  if (context.debug) out.error(inspect(error, { depth: 6 }));
  return code;
}

type Described = { line: string; code: number; expected: boolean };

function describeFailure(error: unknown, context: FailureContext): Described {
  if (error instanceof UsageError) return { line: error.message, code: 2, expected: true };
  if (error instanceof CommandError) return { line: error.message, code: error.exitCode, expected: true };
  if (error instanceof ConfigError) return { line: describeConfigError(error, context.devEnv), code: 1, expected: true };
  if (error instanceof InvalidFileError) return { line: error.message, code: 1, expected: true };
  if (error instanceof StackSetupError) return { line: error.message, code: 1, expected: true };
  const unreachable = connectionFailure(error);
  if (unreachable) return { line: unreachable.message, code: 1, expected: true };
  const file = fileProblem(error);
  if (file) return { line: file, code: 1, expected: true };
  if (error instanceof Error && error.name === 'WorkflowNotFoundError') {
    return { line: `${firstLine(error.message)}; \`pipeforge files\` lists the recent files`, code: 1, expected: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: firstLine(message) || String(error), code: 1, expected: false };
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

/** Missing variables and no `pipeforge dev` to take them from: the stack is simply not running. */
function describeConfigError(error: ConfigError, devEnv: DevEnvState | null): string {
  const unset = error.problems.filter((problem) => problem.endsWith(' is not set')).map((problem) => problem.replace(/ is not set$/, ''));
  if (devEnv?.found === 'none' && unset.length === error.problems.length) {
    const variables = `${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set`;
    return `\`pipeforge dev\` is not running here and ${variables}: start it in another terminal, or set the variables (see README)`;
  }
  return `invalid configuration: ${error.problems.join('; ')} (see README)`;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE']);

/** The servers this command was configured for, to name the one a low-level error came from. */
function configuredEndpoints(): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const attempt = (load: () => Endpoint | null) => {
    try {
      const endpoint = load();
      if (endpoint) endpoints.push(endpoint);
    } catch {
      // Not configured: no error of this command can come from it.
    }
  };
  attempt(() => storageEndpoint(loadStorageConfig()));
  attempt(() => databaseEndpoint(loadDatabaseConfig()));
  attempt(() => temporalEndpoint(loadTemporalConfig()));
  return endpoints;
}

function* causes(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const queue = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined || next === null || seen.has(next)) continue;
    seen.add(next);
    yield next;
    if (typeof next !== 'object') continue;
    if ('cause' in next) queue.push(next.cause);
    if ('originalError' in next) queue.push(next.originalError);
    if (next instanceof AggregateError) queue.push(...next.errors);
  }
}

/** A server that went away during the command (after the check at its start passed). */
function connectionFailure(error: unknown): ServiceUnreachableError | undefined {
  for (const cause of causes(error)) {
    if (cause instanceof ServiceUnreachableError) return cause;
  }
  const endpoints = configuredEndpoints();
  const temporal = endpoints.find((endpoint) => endpoint.service === 'Temporal');
  for (const cause of causes(error)) {
    if (typeof cause !== 'object' || cause === null) continue;
    const fields = cause as { code?: unknown; port?: unknown; message?: unknown };
    if (typeof fields.code === 'string' && CONNECTION_CODES.has(fields.code)) {
      const endpoint = endpoints.find((candidate) => candidate.port === fields.port);
      if (endpoint) return new ServiceUnreachableError(endpoint, { lost: true });
    }
    // gRPC status 14 (UNAVAILABLE), or the client's own deadline for the first connection.
    const message = typeof fields.message === 'string' ? fields.message : '';
    if (temporal && (fields.code === 14 || /^14 UNAVAILABLE|Failed to connect before the deadline/.test(message))) {
      return new ServiceUnreachableError(temporal, { lost: true });
    }
  }
  return undefined;
}

/** A local path that cannot be read, named as the user gave it. */
function fileProblem(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('path' in error) || typeof error.path !== 'string') return undefined;
  const code = 'code' in error ? error.code : undefined;
  const path = displayPath(error.path);
  switch (code) {
    case 'ENOENT':
      return `${path}: no such file or directory`;
    case 'EISDIR':
      return `${path}: is a directory, not a file`;
    case 'EACCES':
    case 'EPERM':
      return `${path}: permission denied`;
    default:
      return undefined;
  }
}
