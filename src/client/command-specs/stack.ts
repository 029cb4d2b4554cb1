import { defineCommand } from '../command-line/spec.ts';

/** The commands that run or prepare servers, and the sample generator. */

export const DEV = defineCommand({
  summary: 'start the local stack and a worker in the foreground',
  details: [
    'Temporal, MinIO and PostgreSQL on loopback, data under PIPEFORGE_HOME (default ./.pipeforge), and a',
    'worker; other terminals read the addresses from .pipeforge/dev.env. Ctrl-C stops everything.',
  ],
  options: {
    fresh: { type: 'boolean', description: 'delete the stack data of earlier runs first and start empty' },
  },
  examples: ['pipeforge dev --fresh'],
});

export const DEMO = defineCommand({
  summary: 'run the whole pipeline once on a throwaway local stack',
  details: ['Generates a sample export, ingests it through the real workflow, prints its summary and the top daily rollup rows.'],
  options: {},
  examples: ['pipeforge demo'],
});

export const PROVISION = defineCommand({
  summary: 'build and cache the Temporal and MinIO binaries',
  details: ['Once (it takes minutes); later starts of the stack take seconds. Binaries go to ~/.cache/pipeforge/bin.'],
  options: {},
  examples: ['pipeforge provision'],
});

export const MIGRATE = defineCommand({
  summary: 'apply the SQL migrations in sql/ to DATABASE_URL',
  options: {},
  examples: ['pipeforge migrate'],
});

export const GENERATE = defineCommand({
  summary: 'write a deterministic sample export of order lines',
  details: ['The same options always give the same bytes; rows stream out, so any size needs little memory.'],
  options: {
    rows: { type: 'integer', value: 'N', min: 1, required: true, description: 'order lines to write' },
    seed: { type: 'integer', value: 'S', min: 1, default: 1, description: 'seed of the generator' },
    days: { type: 'integer', value: 'D', min: 1, default: 30, description: 'days the order dates spread over' },
    'end-date': { type: 'string', value: 'YYYY-MM-DD', defaultText: '2026-11-01', description: 'orders end the day before this date' },
    'ref-prefix': { type: 'string', value: 'P', default: 'ORD', description: 'prefix of every order_ref' },
    out: { type: 'string', value: 'FILE', defaultText: 'standard output', description: 'where to write the CSV' },
  },
  examples: ['pipeforge generate --rows 100000 --seed 7 --out orders.csv'],
});
