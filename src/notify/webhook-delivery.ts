// One receiver's deliveries: a bounded queue in front of a few attempts in flight, and retries
// on timers. enqueue() returns at once and nothing here is awaited by its caller, so a slow or
// dead receiver costs memory up to the queue's bound, never time to the poller or subscribers.
//
// Every message ends in exactly one outcome: delivered (a 2xx), failed (attempts exhausted,
// logged once), dropped (the queue overflowed and it was the oldest) or abandoned (shutdown).
// Each retry is counted as it is scheduled.
import type { Logger } from 'pino';
import type { WebhookMessage, WebhookSigner } from './webhook-message.ts';
import { createDeliveryQueue, type Delivery } from './webhook-queue.ts';
import { isDelivered, retryAfterMs, retryDelayMs } from './webhook-retry.ts';

export type WebhookOutcome = 'delivered' | 'retried' | 'failed' | 'dropped' | 'abandoned';

export interface WebhookReceiverOptions {
  /** Where messages are POSTed. */
  url: URL;
  /** The receiver in logs: never its path or query, which often carry a token. */
  name: string;
  signer: WebhookSigner;
  /** Attempts in all, the first included, before a message is given up. */
  maxAttempts: number;
  /** Wait before the first retry; it doubles with each retry (see webhook-retry.ts). */
  retryBaseMs: number;
  /** Longest wait for one attempt's response status; the attempt is then aborted and retried. */
  timeoutMs: number;
  /** Most attempts in flight at once. @default 4 */
  maxInFlight?: number;
  /**
   * Most messages waiting (for an attempt slot or for a retry); one more drops the oldest, with
   * a warning (at most one a minute) and a `dropped` outcome. @default 10000
   */
  maxQueued?: number;
  /** Told what became of each message, and of each retry scheduled. Must not throw. */
  onOutcome?(outcome: WebhookOutcome): void;
  /** Told each attempt's duration and whether the receiver took the message. Must not throw. */
  onAttempt?(seconds: number, delivered: boolean): void;
  logger: Logger;
  /** Jitter source of the backoff. @default Math.random */
  random?: () => number;
}

export interface WebhookReceiver {
  /** As in logs: its number and origin. */
  readonly name: string;
  /** Messages not yet settled: waiting for a slot or a retry, or in flight. */
  readonly queued: number;
  /** Queues a message and returns. One whose id is queued already is ignored. */
  enqueue(message: WebhookMessage): void;
  /**
   * Takes no more messages and drops those waiting for a retry; those in flight or waiting for a
   * slot go on until none is left or `deadline` (epoch ms), then are aborted. Resolves with the
   * number of messages abandoned.
   */
  close(deadline: number): Promise<number>;
}

interface AttemptResult {
  delivered: boolean;
  /** `HTTP 503`, `no answer within 10000 ms`, `ECONNREFUSED`…: for logs. */
  detail: string;
  retryAfterMs?: number;
}

/** At most one queue-full warning per receiver this often; the metric counts every drop. */
const DROP_LOG_INTERVAL_MS = 60_000;
/** How long close() waits for aborted attempts to settle. */
const ABORT_WAIT_MS = 1000;
const TIMED_OUT = Symbol('timed out');
const CLOSING = Symbol('closing');

export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const { name, maxAttempts, logger } = options;
  const maxInFlight = options.maxInFlight ?? 4;
  const maxQueued = options.maxQueued ?? 10_000;
  const onOutcome = options.onOutcome ?? (() => undefined);
  const queue = createDeliveryQueue({ maxWaiting: maxQueued, onDue: () => pump() });
  const attempt = createAttempt(options);
  const warnDropped = createDropWarning(name, maxQueued, logger);
  let closing = false;
  let abandoned = 0;
  let pumpScheduled = false;

  const settle = (delivery: Delivery, outcome: WebhookOutcome) => {
    queue.settle(delivery);
    if (outcome === 'abandoned') abandoned += 1;
    onOutcome(outcome);
  };

  // Attempts start on a later turn: enqueue() stays a few map operations, whatever the receiver.
  const schedulePump = () => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(pump);
  };

  function pump() {
    pumpScheduled = false;
    while (queue.inFlight < maxInFlight) {
      const delivery = queue.take();
      if (!delivery) return;
      void send(delivery);
    }
  }

  const send = async (delivery: Delivery) => {
    delivery.attempts += 1;
    const result = await attempt(delivery.message);
    logger.debug({ receiver: name, webhookId: delivery.message.id, attempt: delivery.attempts, result: result.detail }, 'webhook attempt');
    if (result.delivered) settle(delivery, 'delivered');
    else if (closing) settle(delivery, 'abandoned');
    else if (delivery.attempts >= maxAttempts) {
      logger.warn(
        { receiver: name, webhookId: delivery.message.id, attempts: delivery.attempts, lastResult: result.detail },
        `webhook delivery given up after ${delivery.attempts} attempts`,
      );
      settle(delivery, 'failed');
    } else {
      queue.retry(delivery, retryDelayMs(delivery.attempts, options.retryBaseMs, result.retryAfterMs, options.random));
      onOutcome('retried');
    }
    schedulePump();
  };

  return {
    name,
    get queued() {
      return queue.size;
    },

    enqueue(message) {
      if (closing || queue.has(message.id)) return;
      const evicted = queue.add(message);
      if (evicted) {
        onOutcome('dropped');
        warnDropped(evicted);
      }
      schedulePump();
    },

    async close(deadline) {
      closing = true;
      for (const delivery of queue.values()) if (delivery.state === 'waiting') settle(delivery, 'abandoned');
      await queue.whenEmpty(deadline - Date.now());
      for (const delivery of queue.values()) if (delivery.state !== 'sending') settle(delivery, 'abandoned');
      attempt.abortAll();
      await queue.whenEmpty(ABORT_WAIT_MS);
      return abandoned;
    },
  };
}

/** The queue-full warning: the first drop at once, then at most one line a minute with a count. */
function createDropWarning(name: string, maxQueued: number, logger: Logger) {
  let sinceLog = 0;
  let loggedAt = -Infinity;
  return (dropped: Delivery) => {
    sinceLog += 1;
    if (Date.now() - loggedAt < DROP_LOG_INTERVAL_MS) return;
    logger.warn(
      { receiver: name, dropped: sinceLog, webhookId: dropped.message.id, maxQueued },
      `webhook queue full: dropped the oldest undelivered message${sinceLog > 1 ? ` (${sinceLog} since the last warning)` : ''}`,
    );
    sinceLog = 0;
    loggedAt = Date.now();
  };
}

/** One POST of a message, signed afresh, under the attempt timeout; never rejects. */
function createAttempt({ url, signer, timeoutMs, onAttempt }: WebhookReceiverOptions) {
  const controllers = new Set<AbortController>();
  const attempt = async (message: WebhookMessage): Promise<AttemptResult> => {
    const controller = new AbortController();
    controllers.add(controller);
    const timer = setTimeout(() => controller.abort(TIMED_OUT), timeoutMs);
    const started = performance.now();
    let result: AttemptResult;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: signer.headers(message, new Date()),
        body: message.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      // Only the status counts: the body is not read, and the connection is let go at once.
      response.body?.cancel().catch(() => undefined);
      const delivered = isDelivered(response.status);
      result = { delivered, detail: `HTTP ${response.status}`, retryAfterMs: delivered ? undefined : retryAfterMs(response.headers.get('retry-after')) };
    } catch (error) {
      result = { delivered: false, detail: failureDetail(error, controller.signal.reason, timeoutMs) };
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
    }
    onAttempt?.((performance.now() - started) / 1000, result.delivered);
    return result;
  };
  return Object.assign(attempt, {
    /** Aborts every attempt in flight (shutdown). */
    abortAll: () => {
      for (const controller of controllers) controller.abort(CLOSING);
    },
  });
}

function failureDetail(error: unknown, reason: unknown, timeoutMs: number): string {
  if (reason === TIMED_OUT) return `no answer within ${timeoutMs} ms`;
  if (reason === CLOSING) return 'aborted at shutdown';
  // fetch's "fetch failed" TypeError carries the system error (ECONNREFUSED, ENOTFOUND…) as its cause.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
