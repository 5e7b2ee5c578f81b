// Waits for the poller's next round to finish, so tests step with the poller instead of sleeping.
import type { Poller, PollerStats } from '../../src/watch/poller.ts';

export function nextRound(poller: Poller): Promise<PollerStats> {
  return new Promise((resolve) => {
    const off = poller.onRound((stats) => {
      off();
      resolve(stats);
    });
  });
}
