import { parseArgs } from 'node:util';
import { ScheduleNotFoundError } from '@temporalio/client';
import { loadTemporalConfig } from '../../config.ts';
import { isKnownTimeZone } from '../../domain/zone-time.ts';
import type { Logger } from '../../logger.ts';
import {
  AGGREGATE_SCHEDULE_OVERLAP,
  listAggregateSchedules,
  scheduleView,
  upsertAggregateSchedule,
  type AggregateScheduleOptions,
  type ScheduleCadence,
} from '../aggregate-schedules.ts';
import { aggregationRangeFromArgs, describeRange } from '../aggregation-range-args.ts';
import { UsageError } from '../../errors.ts';
import { businessTimeZone } from '../business-time-zone.ts';
import { formatTable, out } from '../output.ts';
import { connectClient } from '../temporal-client.ts';

const USAGE = [
  'usage: pipeforge schedule create NAME (--cron EXPR | --every DURATION) [--tz ZONE] [--last-days N | --from D --to D]',
  '       pipeforge schedule list [--json]',
  '       pipeforge schedule describe NAME [--json]',
  '       pipeforge schedule pause|unpause|trigger|delete NAME',
].join('\n');

/** Temporal Schedules that run AggregateSalesWorkflow; `create` on an existing name updates it. */
export async function scheduleCommand(args: string[], _logger: Logger): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      cron: { type: 'string' },
      every: { type: 'string' },
      tz: { type: 'string' },
      'last-days': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, name] = positionals;
  const needsName = action !== 'list';
  if (!action || (needsName && !name) || positionals.length > (needsName ? 2 : 1)) {
    out.error(USAGE);
    return 2;
  }

  let create: Omit<AggregateScheduleOptions, 'taskQueue'> | undefined;
  if (action === 'create') {
    try {
      const zone = businessTimeZone();
      const timeZone = values.tz ?? zone;
      if (!isKnownTimeZone(timeZone)) throw new UsageError(`--tz ${timeZone} is not an IANA time zone such as Africa/Nairobi`);
      // A schedule without a range keeps yesterday and today fresh: late and corrected orders land there.
      const range =
        values.from === undefined && values.to === undefined && values['last-days'] === undefined
          ? { lastDays: 2, timeZone: zone }
          : aggregationRangeFromArgs(values, zone);
      create = { name: name ?? '', cadence: cadenceFromArgs(values.cron, values.every), timeZone, range };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      out.error(`pipeforge schedule: ${error.message}\n\n${USAGE}`);
      return 2;
    }
  }

  const temporal = loadTemporalConfig();
  const client = await connectClient(temporal);
  try {
    const handle = client.schedule.getHandle(name ?? '');
    switch (action) {
      case 'create': {
        if (!create) return 2;
        const outcome = await upsertAggregateSchedule(client, { ...create, taskQueue: temporal.taskQueue });
        const { cadence, timeZone, range } = create;
        out.line(
          `schedule ${name} ${outcome}: ${'cron' in cadence ? `cron "${cadence.cron}"` : `every ${cadence.every}`} in ${timeZone}, ` +
            `recomputing ${describeRange(range)} (overlap ${AGGREGATE_SCHEDULE_OVERLAP})`,
        );
        return 0;
      }
      case 'list': {
        const views = (await listAggregateSchedules(client)).map(scheduleView);
        if (values.json) {
          out.json(views);
          return 0;
        }
        out.line(
          formatTable(
            views.map((view) => ({
              name: view.name,
              cadence: view.cadence,
              tz: view.timeZone,
              range: view.range,
              state: view.paused ? 'paused' : 'active',
              'next (UTC)': view.nextRuns[0]?.replace('T', ' ').slice(0, 16) ?? null,
              runs: view.actionsTaken,
            })),
          ),
        );
        return 0;
      }
      case 'describe': {
        const view = scheduleView(await handle.describe());
        if (values.json) out.json(view);
        else {
          for (const [key, value] of Object.entries(view)) {
            out.line(`${key.padEnd(15)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
          }
        }
        return 0;
      }
      case 'pause':
        await handle.pause('paused with pipeforge schedule pause');
        out.line(`schedule ${name} paused`);
        return 0;
      case 'unpause':
        await handle.unpause('unpaused with pipeforge schedule unpause');
        out.line(`schedule ${name} unpaused`);
        return 0;
      case 'trigger':
        // The schedule's own overlap policy: a trigger during a run queues behind it, not beside it.
        await handle.trigger(AGGREGATE_SCHEDULE_OVERLAP);
        out.line(`schedule ${name} triggered`);
        return 0;
      case 'delete':
        await handle.delete();
        out.line(`schedule ${name} deleted`);
        return 0;
      default:
        out.error(`unknown schedule action: ${action}\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      out.error(`pipeforge schedule: no schedule named ${name}`);
      return 1;
    }
    throw error;
  } finally {
    await client.connection.close();
  }
}

function cadenceFromArgs(cron: string | undefined, every: string | undefined): ScheduleCadence {
  if ((cron === undefined) === (every === undefined)) throw new UsageError('give exactly one of --cron EXPR and --every DURATION');
  return cron !== undefined ? { cron } : { every: every ?? '' };
}
