import { DROP_PREFIX } from '../../storage/object-keys.ts';
import { defineCommand } from '../command-line/spec.ts';

/** The commands that submit, follow, inspect and correct ingestions. */

const ID_DESCRIPTION = 'a file id, content hash or workflow id (as `pipeforge files` lists them)';

const json = { type: 'boolean', description: 'print JSON for a script instead of text' } as const;

export const INGEST = defineCommand({
  summary: 'upload FILE... to MinIO and start their ingestion',
  details: ['The same content is never loaded twice: a file already ingested (under any name) is reported as a duplicate.'],
  positionals: [{ name: 'file', variadic: true, description: 'CSV order exports to ingest' }],
  options: {
    wait: { type: 'boolean', description: 'follow each file to its end, drawing its progress' },
    json,
  },
  examples: ['pipeforge ingest orders-nov.csv --wait'],
});

export const STATUS = defineCommand({
  summary: 'show an ingestion by workflow id, content hash or file id',
  positionals: [{ name: 'id', description: ID_DESCRIPTION }],
  options: {
    follow: { type: 'boolean', short: 'f', description: 'follow a running ingestion to its end, drawing its progress' },
    json,
  },
  examples: ['pipeforge status 3f1c2b9e-8a4d-4c55-9b1e-2d7f0a6c4e10 --follow'],
});

export const FILES = defineCommand({
  summary: 'list recent ingestion files, newest first',
  options: {
    limit: { type: 'integer', value: 'N', min: 1, default: 20, description: 'how many files to list' },
    wide: { type: 'boolean', description: 'show whole error messages, however wide the terminal' },
    json,
  },
  examples: ['pipeforge files --limit 50 --wide'],
});

export const REJECTS = defineCommand({
  summary: 'show the rejected lines of a file: line, column and reason',
  positionals: [{ name: 'fileId', description: 'a file id or content hash' }],
  options: {
    limit: { type: 'integer', value: 'N', min: 1, default: 100, description: 'how many problems to show' },
    json,
  },
  examples: ['pipeforge rejects 3f1c2b9e-8a4d-4c55-9b1e-2d7f0a6c4e10'],
});

export const RETRY = defineCommand({
  summary: 'start a new attempt of a file whose last attempt failed, once its cause is fixed',
  positionals: [{ name: 'id', description: ID_DESCRIPTION }],
  options: {
    wait: { type: 'boolean', description: 'follow the new attempt to its end, drawing its progress' },
    json,
  },
  examples: ['pipeforge retry 3f1c2b9e-8a4d-4c55-9b1e-2d7f0a6c4e10 --wait'],
});

export const CANCEL = defineCommand({
  summary: 'cancel a running ingestion, leaving nothing of it behind',
  details: ['Once its load has committed a cancel is too late: the file then completes.'],
  positionals: [{ name: 'id', description: ID_DESCRIPTION }],
  options: { json },
  examples: ['pipeforge cancel 3f1c2b9e-8a4d-4c55-9b1e-2d7f0a6c4e10'],
});

export const WATCH = defineCommand({
  summary: 'ingest every object dropped under a prefix of the bucket',
  details: ['Runs until Ctrl-C. MinIO notifications start each file; a listing of the prefix finds any they miss.'],
  options: {
    prefix: { type: 'string', value: 'PREFIX', default: DROP_PREFIX, description: 'the part of the bucket to watch' },
    'rescan-seconds': {
      type: 'number',
      value: 'N',
      min: 0,
      default: 15,
      description: 'list the prefix again every N seconds (0: notifications only)',
    },
    json: { type: 'boolean', description: 'print one JSON event per line instead of text' },
  },
  examples: ['pipeforge watch --prefix incoming/shop-a/'],
});
