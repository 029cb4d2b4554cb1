import { describe, expect, it } from '@jest/globals';
import { aggregationStartMetadata, ingestStartMetadata, scheduledAggregationMetadata } from '../../src/client/start-metadata.ts';

const input = {
  objectKey: `uploads/${'ab'.repeat(32)}/orders-nov.csv`,
  filename: 'orders-nov.csv',
  contentHash: 'ab'.repeat(32),
};

describe('the Web UI metadata of an ingestion start', () => {
  it('summarises the file by name and size (in the units the terminal shows), and details its object, hash, size and starter', () => {
    const { staticSummary, staticDetails } = ingestStartMetadata(input, { command: 'pipeforge ingest', sizeBytes: 12_345_678 });
    expect(staticSummary).toBe('orders-nov.csv · 11.8 MiB');
    expect(staticDetails).toContain('**orders-nov.csv**');
    expect(staticDetails).toContain('- Size: 11.8 MiB (12,345,678 bytes)');
    expect(staticDetails).toContain(`- Object: \`${input.objectKey}\``);
    expect(staticDetails).toContain(`- Content hash (sha256): \`${input.contentHash}\``);
    expect(staticDetails).toMatch(/- Started by: `pipeforge ingest`/);
  });

  it('leaves the size out when the starter does not know it', () => {
    const { staticSummary, staticDetails } = ingestStartMetadata(input);
    expect(staticSummary).toBe('orders-nov.csv');
    expect(staticDetails).not.toContain('Size:');
  });

  it('cuts a summary to the 200 bytes the server accepts, on a character boundary', () => {
    const long = { ...input, filename: `${'ü'.repeat(150)}.csv` };
    const { staticSummary } = ingestStartMetadata(long, { sizeBytes: 10 });
    expect(Buffer.byteLength(staticSummary)).toBeLessThanOrEqual(200);
    expect(staticSummary.endsWith('…')).toBe(true);
    expect(staticSummary).not.toContain('\uFFFD');
  });
});

describe('the Web UI metadata of a recomputation', () => {
  it('names the range and its days', () => {
    expect(aggregationStartMetadata({ from: '2026-11-01', to: '2026-11-30' }).staticSummary).toBe(
      'sales aggregates 2026-11-01..2026-11-30 · 30 days',
    );
    expect(aggregationStartMetadata({ lastDays: 1, timeZone: 'Africa/Nairobi' }).staticSummary).toBe(
      'sales aggregates the last 1 day in Africa/Nairobi · 1 day',
    );
  });

  it("names a schedule's runs by the schedule, its range and cadence", () => {
    const { staticSummary, staticDetails } = scheduledAggregationMetadata('nightly', 'cron 0 1 * * *', {
      lastDays: 2,
      timeZone: 'Africa/Nairobi',
    });
    expect(staticSummary).toBe('scheduled sales aggregates nightly: the last 2 days in Africa/Nairobi · cron 0 1 * * *');
    expect(staticDetails).toContain('`pipeforge schedule describe nightly`');
  });
});
