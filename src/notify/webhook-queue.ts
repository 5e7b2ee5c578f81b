// The messages one receiver has not settled yet, in the order they came, and which of them are
// due for an attempt. Bounded: a message added while `maxWaiting` wait already (for a slot or a
// retry; those in flight do not count) evicts the oldest waiting one.
import type { WebhookMessage } from './webhook-message.ts';

export interface Delivery {
  readonly message: WebhookMessage;
  /** Attempts made so far. */
  attempts: number;
  /** Due for an attempt, waiting for a retry, in flight, or settled (gone from the queue). */
  state: 'due' | 'waiting' | 'sending' | 'settled';
  retryTimer?: NodeJS.Timeout;
}

export interface DeliveryQueueOptions {
  /** Most messages waiting for a slot or a retry. */
  maxWaiting: number;
  /** Called when a retry's wait is over and its message is due again. */
  onDue(): void;
}

export interface DeliveryQueue {
  /** Messages not settled. */
  readonly size: number;
  /** Messages in flight. */
  readonly inFlight: number;
  has(id: string): boolean;
  /** Adds a message, due now; returns the one evicted (settled) to make room, if any. */
  add(message: WebhookMessage): Delivery | undefined;
  /** The message due the longest, now in flight; undefined when none is due. */
  take(): Delivery | undefined;
  /** Puts a message in flight back, due again in `delayMs`. */
  retry(delivery: Delivery, delayMs: number): void;
  /** Removes a message for good, wherever it is. */
  settle(delivery: Delivery): void;
  /** The messages not settled, oldest first. */
  values(): IterableIterator<Delivery>;
  /** Resolves once no message is left, or after `ms`. */
  whenEmpty(ms: number): Promise<void>;
}

export function createDeliveryQueue({ maxWaiting, onDue }: DeliveryQueueOptions): DeliveryQueue {
  // Every message not settled, oldest first (the order eviction follows).
  const all = new Map<string, Delivery>();
  // Due ones, first come first served; messages settled meanwhile are skipped when reached.
  let due: Delivery[] = [];
  let inFlight = 0;
  const emptied = new Set<() => void>();

  const settle = (delivery: Delivery) => {
    if (delivery.state === 'settled') return;
    if (delivery.state === 'sending') inFlight -= 1;
    clearTimeout(delivery.retryTimer);
    delivery.state = 'settled';
    all.delete(delivery.message.id);
    if (all.size === 0) for (const resolve of emptied) resolve();
  };

  const oldestWaiting = () => {
    for (const delivery of all.values()) if (delivery.state !== 'sending') return delivery;
    return undefined;
  };

  return {
    get size() {
      return all.size;
    },
    get inFlight() {
      return inFlight;
    },
    has: (id) => all.has(id),

    add(message) {
      const evicted = all.size - inFlight >= maxWaiting ? oldestWaiting() : undefined;
      if (evicted) settle(evicted);
      const delivery: Delivery = { message, attempts: 0, state: 'due' };
      all.set(message.id, delivery);
      due.push(delivery);
      // Evicted messages stay in `due` until reached; a receiver that answers nothing reaches none.
      if (due.length > 2 * maxWaiting) due = due.filter((queued) => queued.state === 'due');
      return evicted;
    },

    take() {
      for (let delivery = due.shift(); delivery; delivery = due.shift()) {
        if (delivery.state !== 'due') continue;
        delivery.state = 'sending';
        inFlight += 1;
        return delivery;
      }
      return undefined;
    },

    retry(delivery, delayMs) {
      inFlight -= 1;
      delivery.state = 'waiting';
      delivery.retryTimer = setTimeout(() => {
        delivery.state = 'due';
        due.push(delivery);
        onDue();
      }, delayMs);
      // A retry due in an hour must not keep a finished process alive.
      delivery.retryTimer.unref();
    },

    settle,
    values: () => all.values(),

    whenEmpty: (ms) =>
      new Promise<void>((resolve) => {
        if (all.size === 0) return resolve();
        const done = () => {
          clearTimeout(timer);
          emptied.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        emptied.add(done);
      }),
  };
}
