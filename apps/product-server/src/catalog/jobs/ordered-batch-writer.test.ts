import { describe, expect, it } from 'vitest';
import { OrderedBatchWriter } from './ordered-batch-writer.ts';

/** A batch whose work ends when the test says so, recording when it started and committed. */
function controlled(log: string[], name: string, skus: string[]) {
  let finishWork!: () => void;
  let failWork!: (error: Error) => void;
  const work = new Promise<void>((resolve, reject) => {
    finishWork = resolve;
    failWork = reject;
  });
  return {
    finishWork: () => finishWork(),
    failWork: (error: Error) => failWork(error),
    batch: {
      skus: new Set(skus),
      write: async (previous: Promise<void>) => {
        log.push(`start ${name}`);
        await work;
        await previous;
        log.push(`commit ${name}`);
      },
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OrderedBatchWriter', () => {
  it('runs batches side by side but commits them in the order they came', async () => {
    const log: string[] = [];
    const writer = new OrderedBatchWriter(3);
    const a = controlled(log, 'a', ['A']);
    const b = controlled(log, 'b', ['B']);
    const c = controlled(log, 'c', ['C']);
    await writer.submit(a.batch);
    await writer.submit(b.batch);
    await writer.submit(c.batch);
    expect(log).toEqual(['start a', 'start b', 'start c']);
    c.finishWork();
    b.finishWork();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    a.finishWork();
    await writer.drain();
    expect(log).toEqual(['start a', 'start b', 'start c', 'commit a', 'commit b', 'commit c']);
  });

  it('waits for room: never more than depth batches in flight', async () => {
    const log: string[] = [];
    const writer = new OrderedBatchWriter(2);
    const a = controlled(log, 'a', ['A']);
    const b = controlled(log, 'b', ['B']);
    const c = controlled(log, 'c', ['C']);
    await writer.submit(a.batch);
    await writer.submit(b.batch);
    const third = writer.submit(c.batch);
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    a.finishWork();
    await third;
    expect(log).toEqual(['start a', 'start b', 'commit a', 'start c']);
    b.finishWork();
    c.finishWork();
    await writer.drain();
    expect(log.slice(-2)).toEqual(['commit b', 'commit c']);
  });

  it('starts a batch sharing a SKU with one in flight only after that one committed', async () => {
    const log: string[] = [];
    const writer = new OrderedBatchWriter(3);
    const a = controlled(log, 'a', ['A', 'X']);
    const b = controlled(log, 'b', ['X']);
    await writer.submit(a.batch);
    const second = writer.submit(b.batch);
    await tick();
    expect(log).toEqual(['start a']);
    a.finishWork();
    await second;
    expect(log).toEqual(['start a', 'commit a', 'start b']);
    b.finishWork();
    await writer.drain();
  });

  it('after a failure, the batches behind it never commit, and the first error is thrown once all have ended', async () => {
    const log: string[] = [];
    const writer = new OrderedBatchWriter(3);
    const a = controlled(log, 'a', ['A']);
    const b = controlled(log, 'b', ['B']);
    await writer.submit(a.batch);
    await writer.submit(b.batch);
    b.finishWork();
    a.failWork(new Error('a broke'));
    await expect(writer.drain()).rejects.toThrow('a broke');
    expect(log).toEqual(['start a', 'start b']);
    const c = controlled(log, 'c', ['C']);
    await expect(writer.submit(c.batch)).rejects.toThrow('a broke');
    expect(log).toEqual(['start a', 'start b']);
  });
});
