import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../adapters/slack/listeners.js';

describe('WorkQueue', () => {
  it('runs at most `limit` jobs at once, in arrival order, and frees a slot when a job fails', async () => {
    const q = new WorkQueue(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const job = (i: number) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(i);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      if (i === 3) throw new Error('job 3 failed');
      return i;
    };
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => q.run(job(i))));
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    // Every slot came back: a new job still runs.
    await expect(q.run(async () => 'after')).resolves.toBe('after');
  });

  it('starts a job only after I/O callbacks that are already due', async () => {
    const q = new WorkQueue();
    const events: string[] = [];
    setImmediate(() => events.push('pending I/O'));
    await q.run(async () => {
      events.push('job');
    });
    expect(events).toEqual(['pending I/O', 'job']);
  });
});
