import { defineCommand, defineGroup } from '../command-line/spec.ts';
import { REPORT_FORMATS } from '../report-format.ts';

/** The commands over the daily rollup: recompute it, read it, and schedule its recomputation. */

const from = { type: 'string', value: 'YYYY-MM-DD', description: 'first business date (included)' } as const;
const to = { type: 'string', value: 'YYYY-MM-DD', description: 'last business date (included)' } as const;
const json = { type: 'boolean', description: 'print JSON for a script instead of text' } as const;

export const AGGREGATE = defineCommand({
  summary: 'recompute the daily rollup for a range of business dates now, and wait',
  details: ['Give either --from and --to, or --last-days.'],
  options: {
    from,
    to,
    'last-days': { type: 'string', value: 'N', description: 'the last N business dates, today included' },
    json,
  },
  examples: ['pipeforge aggregate --from 2026-10-01 --to 2026-10-31'],
});

/** Kept equal to REPORT_DIMENSIONS by a type check in the report command (that module loads slonik). */
export const REPORT_BY = ['day', 'category', 'payment', 'product'] as const;

export const REPORT = defineCommand({
  summary: 'sales report: revenue, units, orders and customers per group over business dates',
  options: {
    from: { ...from, required: true },
    to: { ...to, required: true },
    by: { type: 'string', value: 'GROUP', choices: REPORT_BY, default: 'day', description: 'what each row is' },
    format: { type: 'string', value: 'FORMAT', choices: REPORT_FORMATS, default: 'table', description: 'how to print it' },
  },
  examples: ['pipeforge report --from 2026-10-01 --to 2026-10-31 --by category --format csv'],
});

const name = { name: 'name', description: 'the schedule id' } as const;

export const SCHEDULE = defineGroup({
  summary: 'manage Temporal Schedules that recompute the daily rollup',
  subcommands: {
    create: defineCommand({
      summary: 'create a schedule, or update the one of that name',
      details: ['Give exactly one of --cron and --every; without a range each run recomputes yesterday and today.'],
      positionals: [name],
      options: {
        cron: { type: 'string', value: 'EXPR', description: 'a cron expression, read in --tz' },
        every: { type: 'string', value: 'DURATION', description: 'an interval such as 15m, 6h or 1d' },
        tz: { type: 'string', value: 'ZONE', defaultText: 'PIPEFORGE_BUSINESS_TZ, else UTC', description: 'IANA time zone of --cron' },
        'last-days': { type: 'string', value: 'N', description: 'each run recomputes the last N business dates' },
        from,
        to,
      },
      examples: ["pipeforge schedule create nightly --cron '30 0 * * *' --tz Africa/Nairobi --last-days 2"],
    }),
    list: defineCommand({
      summary: 'list the rollup schedules',
      options: { json },
      examples: ['pipeforge schedule list'],
    }),
    describe: defineCommand({
      summary: 'show one schedule: cadence, range, state and next runs',
      positionals: [name],
      options: { json },
      examples: ['pipeforge schedule describe nightly'],
    }),
    pause: defineCommand({ summary: 'pause a schedule', positionals: [name], options: {}, examples: ['pipeforge schedule pause nightly'] }),
    unpause: defineCommand({
      summary: 'resume a paused schedule',
      positionals: [name],
      options: {},
      examples: ['pipeforge schedule unpause nightly'],
    }),
    trigger: defineCommand({
      summary: 'start a run of a schedule now (queued behind a running one)',
      positionals: [name],
      options: {},
      examples: ['pipeforge schedule trigger nightly'],
    }),
    delete: defineCommand({ summary: 'delete a schedule', positionals: [name], options: {}, examples: ['pipeforge schedule delete nightly'] }),
  },
});
