import { defineCommand } from '../command-line/spec.ts';

export const REVERT = defineCommand({
  summary: 'undo a loaded file exactly, as if it had never been loaded',
  details: [
    'Orders it replaced get back the version of the latest other file that had them, orders only it had go,',
    'customers, products and the daily rollup become what the other files make them. Shows what will change',
    'and asks first (on a terminal; elsewhere pass --yes). Its rejects stay; its content can be ingested again.',
    'A file reverted before is reported as such and nothing changes (exit 0).',
  ],
  positionals: [{ name: 'fileId', description: 'a file id or content hash (as `pipeforge files` lists them)' }],
  options: {
    wait: { type: 'boolean', description: 'follow the revert to its end and print what it changed' },
    json: { type: 'boolean', description: 'print JSON for a script instead of text' },
    yes: { type: 'boolean', short: 'y', description: 'revert without asking for confirmation' },
    reason: { type: 'string', value: 'TEXT', description: 'why, recorded with the file' },
  },
  examples: ['pipeforge revert 3f1c2b9e-8a4d-4c55-9b1e-2d7f0a6c4e10 --reason "staging export" --wait'],
});
