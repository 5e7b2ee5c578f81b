// Operation starts spread over turns of the event loop (src/websocket/start-turns.ts): at most so
// many a turn, the rest in arrival order at the turns after, and a lone start never waits.
import { describe, expect, it } from 'vitest';
import { createStartTurns } from '../src/websocket/start-turns.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('createStartTurns', () => {
  it('should start at most perTurn a turn, the rest at the following turns in arrival order', async () => {
    const turns = createStartTurns(2);
    const started: Array<[start: number, turn: number]> = [];
    let turn = 0;
    const waits = Array.from({ length: 5 }, (_, start) => {
      const wait = turns.wait();
      if (!wait) started.push([start, turn]);
      return wait?.then(() => started.push([start, turn]));
    });
    expect(waits.map((wait) => wait === undefined)).toEqual([true, true, false, false, false]);
    for (turn = 1; turn <= 3; turn++) await nextTurn();
    await Promise.all(waits);
    expect(started).toEqual([
      [0, 0],
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 2],
    ]);
  });

  it('should queue a newcomer behind those waiting, and let starts go at once again once none wait', async () => {
    const turns = createStartTurns(1);
    expect(turns.wait()).toBeUndefined();
    const queued = turns.wait();
    await nextTurn();
    // The turn `queued` started in is full, and it was first in line anyway.
    const behind = turns.wait();
    expect([queued, behind].map((wait) => wait instanceof Promise)).toEqual([true, true]);
    await Promise.all([queued, behind]);
    await nextTurn();
    expect(turns.wait()).toBeUndefined();
  });
});
