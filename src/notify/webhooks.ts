// Signed status webhooks (Standard Webhooks), put together: every account-wide status change to
// an announced status (WEBHOOK_STATUSES) becomes one message, is claimed (one instance announces
// each change), and is queued to every receiver (WEBHOOK_URLS), each with its own queue, so a
// slow receiver holds up neither the others nor anything else. While it runs the whole account
// is tracked (poller.watchAccount), so a change is announced within one poll interval with
// nobody subscribed; the tracker's baseline keeps jobs that already exist from being news.
import type { Logger } from 'pino';
import { jobStatusName, type JobStatus } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { AccountJobChange, JobPubSub } from '../watch/job-pub-sub.ts';
import type { Poller } from '../watch/poller.ts';
import type { WebhookClaims } from './webhook-claims.ts';
import { createWebhookReceiver, type WebhookOutcome } from './webhook-delivery.ts';
import { createWebhookSigner, statusChangedMessage, type StatusChange } from './webhook-message.ts';

/** The WEBHOOK_* variables, as config.ts reads them. */
export interface WebhookOptions {
  /** Receivers (WEBHOOK_URLS): http(s), without credentials. */
  urls: URL[];
  /** `whsec_` and the base64 of 24 to 64 random bytes (WEBHOOK_SECRET). Never logged. */
  secret: string;
  /** New statuses announced (WEBHOOK_STATUSES). */
  statuses: ReadonlySet<JobStatus>;
  /** Attempts per message and receiver, the first included (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Wait before the first retry, doubling with each one up to an hour (WEBHOOK_RETRY_BASE_MS). */
  retryBaseMs: number;
  /** Longest wait for a receiver to answer one attempt (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Most attempts in flight per receiver. @default 4 */
  maxInFlight?: number;
  /** Most messages waiting per receiver; one more drops the oldest. @default 10000 */
  maxQueued?: number;
}

export interface WebhookParts {
  /** Where account-wide status changes are published (`jobs:statusChanged`). */
  pubSub: JobPubSub;
  /** Tracks the whole account for as long as the webhooks run. */
  poller: Pick<Poller, 'watchAccount'>;
  /** Decides which instance announces a change. */
  claims: WebhookClaims;
  /** Told what became of each message and retry, per receiver (metrics). */
  onOutcome?(outcome: WebhookOutcome): void;
  /** Told each attempt's duration and whether it delivered (metrics). */
  onAttempt?(seconds: number, delivered: boolean): void;
  logger: Logger;
}

export interface Webhooks {
  /** Messages not yet settled, over every receiver. */
  readonly queued: number;
  /**
   * Takes no more changes and stops tracking the account; drops the retries waiting, lets the
   * attempts under way (and the messages waiting for a slot) go on until `deadline` (epoch ms),
   * then aborts them and logs how many were abandoned. Calling it again returns the same promise.
   */
  close(deadline: number): Promise<void>;
}

export function createWebhooks(options: WebhookOptions, parts: WebhookParts): Webhooks {
  const { statuses } = options;
  const { claims, logger } = parts;
  const signer = createWebhookSigner(options.secret);
  const receivers = options.urls.map((url, index) =>
    createWebhookReceiver({
      url,
      // Origin only: the path and query of a webhook URL are often its credential.
      name: `#${index + 1} ${url.origin}`,
      signer,
      maxAttempts: options.maxAttempts,
      retryBaseMs: options.retryBaseMs,
      timeoutMs: options.timeoutMs,
      maxInFlight: options.maxInFlight,
      maxQueued: options.maxQueued,
      onOutcome: parts.onOutcome,
      onAttempt: parts.onAttempt,
      logger,
    }),
  );
  let closing: Promise<void> | undefined;

  const announce = async (change: StatusChange) => {
    const jobId = jobIdFromArn(change.job.jobArn);
    if (!(await claims.claim(jobId, change.job.status))) {
      logger.debug({ jobId, status: change.job.status }, 'status change announced by another instance');
      return;
    }
    // The claim may have resolved after close(): the change is then this instance's to lose.
    if (closing) return;
    const message = statusChangedMessage(change);
    for (const receiver of receivers) receiver.enqueue(message);
  };

  // Every instance hears every change (with Redis, peers' too): the claim picks the one that sends.
  const unfollow = parts.pubSub.listenToAccount((change) => {
    if (!isAnnounced(change, statuses)) return;
    announce(change).catch((error: unknown) => logger.error({ err: error }, 'announcing a status change failed'));
  });
  const releaseAccount = parts.poller.watchAccount();
  logger.info(
    { receivers: receivers.map((receiver) => receiver.name), statuses: [...statuses].map(jobStatusName) },
    `Webhooks: announcing job status changes to ${receivers.length} receiver${receivers.length === 1 ? '' : 's'}`,
  );

  const shutDown = async (deadline: number) => {
    unfollow();
    releaseAccount();
    const abandoned = await Promise.all(receivers.map((receiver) => receiver.close(deadline)));
    const total = abandoned.reduce((sum, count) => sum + count, 0);
    if (total > 0) logger.warn({ abandoned: total }, `shutdown: ${total} webhook deliveries abandoned (pending retries and attempts cut short)`);
  };

  return {
    get queued() {
      return receivers.reduce((sum, receiver) => sum + receiver.queued, 0);
    },
    close(deadline) {
      closing ??= shutDown(deadline);
      return closing;
    },
  };
}

function isAnnounced(change: AccountJobChange, statuses: ReadonlySet<JobStatus>): change is StatusChange {
  return change.job.status !== undefined && statuses.has(change.job.status);
}
