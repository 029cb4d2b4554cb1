import { userInfo } from 'node:os';
import { daysInRange } from '../domain/business-dates.ts';
import type { AggregateSalesInput } from '../workflows/aggregate-sales-contract.ts';
import type { IngestFileInput } from '../workflows/ingest-file-contract.ts';
import { describeRange } from './aggregation-range-args.ts';
import { formatBytes, formatCount } from './number-format.ts';

/**
 * The Web UI's user metadata of the workflows the CLI starts: a one-line summary for the workflow
 * list (so that a person tells files apart without reading `ingest-<hash>` ids) and Markdown
 * details for the workflow's page. Fixed at start; what happens later is the workflow's own
 * current details. Names, sizes, keys and hashes only: never a row of the file.
 */
export type StartMetadata = { staticSummary: string; staticDetails: string };

/** Who started a workflow and how much it has to read, as far as the starter knows. */
export type IngestOrigin = {
  /** The command that started it, e.g. `pipeforge ingest`. */
  command?: string;
  sizeBytes?: number | undefined;
};

/** The server refuses a summary over 200 bytes; a long file name is cut rather than the start failing. */
const SUMMARY_MAX_BYTES = 200;

function fitSummary(text: string): string {
  if (Buffer.byteLength(text) <= SUMMARY_MAX_BYTES) return text;
  let cut = text;
  while (Buffer.byteLength(`${cut}…`) > SUMMARY_MAX_BYTES) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The operating-system account running the CLI; some containers have none to name. */
function localUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

function startedBy(command: string | undefined): string {
  const user = localUser();
  const what = `\`${command ?? 'pipeforge'}\``;
  return user === undefined ? what : `${what} as ${user}`;
}

export function ingestStartMetadata(input: IngestFileInput, origin: IngestOrigin = {}): StartMetadata {
  const size = origin.sizeBytes === undefined ? undefined : formatBytes(origin.sizeBytes);
  const staticSummary = fitSummary(size === undefined ? input.filename : `${input.filename} · ${size}`);
  const facts = [
    ...(origin.sizeBytes === undefined ? [] : [`Size: ${size} (${formatCount(origin.sizeBytes)} bytes)`]),
    `Object: \`${input.objectKey}\``,
    `Content hash (sha256): \`${input.contentHash}\``,
    `Started by: ${startedBy(origin.command)}`,
  ];
  const staticDetails = [
    `**${input.filename}**`,
    '',
    ...facts.map((fact) => `- ${fact}`),
    '',
    'The file id is known once the content is claimed: the current details below name it, with the ' +
      '`pipeforge status` and `pipeforge rejects` commands to run on it.',
  ].join('\n');
  return { staticSummary, staticDetails };
}

function rangeDays(range: AggregateSalesInput): string {
  const days = 'lastDays' in range ? range.lastDays : daysInRange(range.from, range.to);
  return `${formatCount(days)} day${days === 1 ? '' : 's'}`;
}

/** A recomputation of a range started now (`pipeforge aggregate`). */
export function aggregationStartMetadata(range: AggregateSalesInput, command = 'pipeforge aggregate'): StartMetadata {
  return {
    staticSummary: fitSummary(`sales aggregates ${describeRange(range)} · ${rangeDays(range)}`),
    staticDetails: [
      `Recomputes the daily sales aggregates of ${describeRange(range)} (${rangeDays(range)}) from the loaded orders.`,
      '',
      `- Started by: ${startedBy(command)}`,
    ].join('\n'),
  };
}

/** The runs of a schedule: each recomputes the range as of when it starts. */
export function scheduledAggregationMetadata(name: string, cadence: string, range: AggregateSalesInput): StartMetadata {
  return {
    staticSummary: fitSummary(`scheduled sales aggregates ${name}: ${describeRange(range)} · ${cadence}`),
    staticDetails: [
      `A run of the schedule **${name}** (${cadence}): recomputes the daily sales aggregates of ` +
        `${describeRange(range)} (${rangeDays(range)}) as of the moment it starts.`,
      '',
      `- See the schedule: \`pipeforge schedule describe ${name}\``,
    ].join('\n'),
  };
}
