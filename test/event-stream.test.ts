// The per-subscriber stream: values in order, the end after what was queued, cleanup exactly once;
// iterated, or piped to a sink.
import { describe, expect, it } from 'vitest';
import { createEventStream, isPipeable, type Sink } from '../src/subscriptions/event-stream.ts';

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

  it('should hand queued values, then every later one, to a sink at once, then end it', () => {
    let ended = 0;
    const stream = createEventStream<number>(() => (ended += 1));
    const seen: Array<number | 'end'> = [];
    const sink: Sink<number> = { next: (value) => seen.push(value), end: () => seen.push('end'), fail: (error) => seen.push(error as never) };
    stream.push(1);
    expect(isPipeable(stream.iterator)).toBe(true);
    if (!isPipeable<number>(stream.iterator)) return;
    stream.iterator.pipe(sink);
    expect(seen).toEqual([1]);
    stream.push(2);
    expect(seen).toEqual([1, 2]);
    stream.end();
    stream.push(3);
    expect(seen).toEqual([1, 2, 'end']);
    expect(ended).toBe(1);
  });

  it('should end a piped stream on return(), and one that ended before it was piped at once', async () => {
    const seen: Array<string> = [];
    const sink: Sink<string> = { next: (value) => seen.push(value), end: () => seen.push('end'), fail: () => seen.push('fail') };
    const open = createEventStream<string>(() => undefined);
    if (!isPipeable<string>(open.iterator)) throw new Error('not pipeable');
    open.iterator.pipe(sink);
    await open.iterator.return!();
    expect(seen).toEqual(['end']);

    const finished = createEventStream<string>(() => undefined);
    finished.push('last');
    finished.end();
    if (!isPipeable<string>(finished.iterator)) throw new Error('not pipeable');
    finished.iterator.pipe(sink);
    expect(seen).toEqual(['end', 'last', 'end']);
  });
});
