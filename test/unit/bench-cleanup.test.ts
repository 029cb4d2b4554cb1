import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCleanup } from '../../src/bench/cleanup.ts';

describe('the bench cleanup', () => {
  it('runs steps last first, each once, past a failing one', async () => {
    const done: string[] = [];
    const errors: unknown[] = [];
    const cleanup = createCleanup((error) => errors.push(error));
    cleanup.add(async () => done.push('stack'));
    cleanup.add(async () => {
      throw new Error('worker already gone');
    });
    const remove = cleanup.add(async () => done.push('stopped the normal way'));
    cleanup.add(async () => done.push('worker'));
    remove();
    await cleanup.run();
    await cleanup.run();
    expect(done).toEqual(['worker', 'stack']);
    expect(errors).toHaveLength(1);
  });

  it('makes a second caller wait for the run in progress', async () => {
    const done: string[] = [];
    const cleanup = createCleanup(() => {});
    cleanup.add(async () => {
      await sleep(20);
      done.push('stack stopped');
    });
    const first = cleanup.run();
    await cleanup.run();
    expect(done).toEqual(['stack stopped']);
    await first;
  });
});
