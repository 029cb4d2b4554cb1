import { describe, expect, it } from '@jest/globals';
import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeatReadingWhile } from '../../src/activities/heartbeat.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('heartbeats that carry a reading', () => {
  it('sends each reading as it arrives, repeats the last one, and goes on when a reading fails', async () => {
    const environment = new MockActivityEnvironment();
    const beats: unknown[] = [];
    environment.on('heartbeat', (details: unknown) => beats.push(details));
    let reads = 0;
    const read = async () => {
      reads += 1;
      if (reads === 2) throw new Error('the database is busy');
      return { rowsLoaded: reads * 10 };
    };
    const result = await environment.run(() => heartbeatReadingWhile(sleep(230).then(() => 'loaded'), read, 50));
    expect(result).toBe('loaded');
    // The first reading at once, then every interval; the failed second one left the first in place.
    expect(beats[0]).toEqual({ rowsLoaded: 10 });
    expect(beats).toContainEqual({ rowsLoaded: 30 });
    const afterFailure = beats.slice(1, beats.findIndex((beat) => (beat as { rowsLoaded?: number })?.rowsLoaded === 30));
    for (const beat of afterFailure) expect(beat).toEqual({ rowsLoaded: 10 });
    const count = beats.length;
    await sleep(150);
    expect(beats.length).toBe(count);
  });
});
