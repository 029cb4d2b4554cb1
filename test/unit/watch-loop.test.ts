import { describe, expect, it } from '@jest/globals';
import { reconnectDelay, watchBucket, type Discovery, type WatchLoopDeps } from '../../src/client/commands/watch.ts';
import type { StoredObject } from '../../src/storage/object-store.ts';

type Connection = { created(o: StoredObject): void; break(e: Error): void; bucket: StoredObject[] };

/**
 * A scripted bucket: after each successful listing, the next step of the script plays on that
 * connection's notification stream (deliver objects, break). When the script ends the watcher is
 * stopped. No timers: sleeping only records the delay asked for.
 */
function scriptedBucket(script: Array<(connection: Connection) => void>, onSleep: (count: number, bucket: StoredObject[]) => void = () => undefined) {
  const bucket: StoredObject[] = [];
  const submitted: Array<[string, Discovery]> = [];
  const delays: number[] = [];
  const controller = new AbortController();
  let connections = 0;
  let steps = 0;
  let handlers: { onCreated(o: StoredObject): void; onError(e: Error): void } | undefined;
  const deps: WatchLoopDeps = {
    async *listObjects() {
      if (bucket.some((o) => o.key === 'down')) throw new Error('connection refused');
      yield* [...bucket];
      const step = script[steps++];
      const current = handlers;
      queueMicrotask(() => {
        if (!step || !current) return controller.abort();
        step({
          created: (o) => {
            bucket.push(o);
            current.onCreated(o);
          },
          break: (e) => current.onError(e),
          bucket,
        });
      });
    },
    listen(_prefix, onCreated, onError) {
      connections += 1;
      handlers = { onCreated, onError };
      return { stop: () => undefined };
    },
    async submit(object, discovery) {
      submitted.push([object.key, discovery]);
    },
    async sleep(ms) {
      delays.push(ms);
      onSleep(delays.length, bucket);
    },
  };
  return { deps, bucket, submitted, delays, signal: controller.signal, connections: () => connections };
}

const obj = (key: string, etag = 'e1'): StoredObject => ({ key, etag });

describe('watch loop', () => {
  it('backs off exponentially up to a ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => reconnectDelay(n, 1_000, 30_000))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('submits what it is told about, reconnects when the stream breaks, and picks up what landed meanwhile', async () => {
    const run = scriptedBucket([
      (c) => {
        c.created(obj('incoming/a.csv'));
        // Dropped while the stream is down: no notification, only the next listing finds it.
        c.bucket.push(obj('incoming/b.csv'));
        c.break(new Error('MinIO restarted'));
      },
      (c) => {
        c.created(obj('incoming/c.csv'));
        c.break(new Error('MinIO restarted again'));
      },
    ]);
    run.bucket.push(obj('incoming/old.csv'));
    await watchBucket(run.deps, { prefix: 'incoming/', signal: run.signal });
    expect(run.submitted).toEqual([
      ['incoming/old.csv', 'reconcile'],
      ['incoming/a.csv', 'created'],
      ['incoming/b.csv', 'reconcile'],
      ['incoming/c.csv', 'created'],
    ]);
    // The backoff starts over after each successful listing.
    expect(run.delays).toEqual([1_000, 1_000]);
  });

  it('submits an object once per ETag, and again when it is replaced', async () => {
    const run = scriptedBucket([
      (c) => {
        c.created(obj('incoming/a.csv', 'e1'));
        c.break(new Error('reset'));
      },
      (c) => {
        c.created(obj('incoming/a.csv', 'e2'));
        c.break(new Error('reset'));
      },
    ]);
    await watchBucket(run.deps, { prefix: 'incoming/', signal: run.signal });
    expect(run.submitted).toEqual([
      ['incoming/a.csv', 'created'],
      ['incoming/a.csv', 'created'],
    ]);
  });

  it('lists the prefix again on each rescan, finding objects a silent server never notified', async () => {
    const run = scriptedBucket([(c) => c.bucket.push(obj('incoming/quiet.csv')), () => undefined]);
    await watchBucket({ ...run.deps, nextRescan: async () => undefined }, { prefix: 'incoming/', signal: run.signal });
    expect(run.submitted).toEqual([['incoming/quiet.csv', 'reconcile']]);
    expect(run.connections()).toBe(1);
    expect(run.delays).toEqual([]);
  });

  it('keeps retrying with growing delays while the bucket is unreachable, and resets after a success', async () => {
    const run = scriptedBucket(
      [
        (c) => {
          c.bucket.push(obj('down'));
          c.break(new Error('gone'));
        },
        (c) => c.break(new Error('again')),
      ],
      (count, bucket) => {
        if (count === 4) bucket.splice(bucket.findIndex((o) => o.key === 'down'), 1);
      },
    );
    await watchBucket(run.deps, { prefix: 'incoming/', signal: run.signal, initialDelayMs: 100, maxDelayMs: 1_000 });
    expect(run.delays).toEqual([100, 200, 400, 800, 100]);
    expect(run.connections()).toBe(6);
  });
});
