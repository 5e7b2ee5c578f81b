// The per-subscriber stream: values in order, the end after what was queued, cleanup exactly once.
import { describe, expect, it } from 'vitest';
import { createEventStream } from '../src/watch/event-stream.ts';

describe('createEventStream', () => {
  it('should deliver queued values in order, then end', async () => {
    let ended = 0;
    const stream = createEventStream<number>(() => (ended += 1));
    stream.push(1);
    stream.push(2);
    stream.end();
    stream.push(3);
    const values: number[] = [];
    for await (const value of stream.iterator) values.push(value);
    expect(values).toEqual([1, 2]);
    expect(ended).toBe(1);
  });

  it('should hand a value to a consumer already waiting', async () => {
    const stream = createEventStream<string>(() => undefined);
    const next = stream.iterator.next();
    stream.push('a');
    expect(await next).toEqual({ value: 'a', done: false });
  });

  it('should end a waiting consumer and clean up once on return()', async () => {
    let ended = 0;
    const stream = createEventStream<string>(() => (ended += 1));
    const waiting = stream.iterator.next();
    expect(await stream.iterator.return!()).toEqual({ value: undefined, done: true });
    expect(await waiting).toEqual({ value: undefined, done: true });
    stream.end();
    expect(ended).toBe(1);
  });
});
