// What a webhook carries: the JSON body of one status change, its id, and the Standard Webhooks
// headers that sign it (https://www.standardwebhooks.com). The body and id are made once per
// change; the timestamp and signature anew for every attempt.
import { Webhook } from 'standardwebhooks';
import { jobStatusName, type JobStatus } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { AccountJobChange } from '../watch/job-pub-sub.ts';

/** The `type` of every message the gateway sends. */
const STATUS_CHANGED_TYPE = 'model-invocation-job.status-changed';

/** Names the sender to receivers and their proxies' logs. */
const WEBHOOK_USER_AGENT = 'bedrock-jobs-gateway-webhooks/1';

/** One change, ready to send to any receiver. */
export interface WebhookMessage {
  /** `webhook-id`: the same for every attempt and every instance that announces the change. */
  readonly id: string;
  /** The JSON body, exactly the bytes that are signed. */
  readonly body: string;
}

/** The `data` of a status-changed message: statuses in the GraphQL enum's names, absent members null. */
interface StatusChangedData {
  jobArn: string;
  jobName: string | null;
  modelId: string;
  status: string;
  previousStatus: string | null;
  observedAt: string;
  totalRecordCount: number | null;
  processedRecordCount: number | null;
  successRecordCount: number | null;
  errorRecordCount: number | null;
  message: string | null;
}

/**
 * The id of the message announcing that a job reached a status. Derived, not random, so a retry
 * and a duplicate sent by another instance (Redis unreachable) carry the same id, and receivers
 * can drop what they already handled. A job reaches each status at most once.
 */
export function webhookMessageId(jobId: string, status: JobStatus): string {
  return `msg_${jobId}_${jobStatusName(status).toLowerCase()}`;
}

/** An account-wide status change of a job whose status is known. */
export type StatusChange = AccountJobChange & { job: { status: JobStatus } };

/** The message announcing `change`. */
export function statusChangedMessage(change: StatusChange): WebhookMessage {
  const { job, previousStatus } = change;
  // A Date in process, revived from its ISO text when it came through Redis: either way an instant.
  const observedAt = new Date(change.observedAt).toISOString();
  const data: StatusChangedData = {
    jobArn: job.jobArn,
    jobName: job.jobName ?? null,
    modelId: job.modelId,
    status: jobStatusName(job.status),
    previousStatus: previousStatus ? jobStatusName(previousStatus) : null,
    observedAt,
    totalRecordCount: job.totalRecordCount ?? null,
    processedRecordCount: job.processedRecordCount ?? null,
    successRecordCount: job.successRecordCount ?? null,
    errorRecordCount: job.errorRecordCount ?? null,
    message: job.message ?? null,
  };
  const body = JSON.stringify({ type: STATUS_CHANGED_TYPE, timestamp: observedAt, data });
  return { id: webhookMessageId(jobIdFromArn(job.jobArn), job.status), body };
}

export interface WebhookSigner {
  /** The headers of one attempt to send `message` at `now`: a fresh timestamp and signature. */
  headers(message: WebhookMessage, now: Date): Record<string, string>;
}

/** Signs with `secret` (`whsec_` + base64), as every Standard Webhooks library verifies. */
export function createWebhookSigner(secret: string): WebhookSigner {
  const webhook = new Webhook(secret);
  return {
    headers(message, now) {
      return {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'webhook-id': message.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(message.id, now, message.body),
      };
    },
  };
}
