// POST /events/bedrock: Amazon EventBridge "Batch Inference Job State Change" events, delivered
// by an API destination, trigger an immediate refresh of the job when a change of it would reach
// anyone (the poller tracks it). Delivery is best effort, so polling stays the safety net; an
// event only says "look now", its content is never trusted.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { parseJobId } from '../bedrock/job-identifier.ts';
import type { Poller } from './poller.ts';

export const EVENT_BRIDGE_PATH = '/events/bedrock';
const SECRET_HEADER = 'x-eventbridge-secret';
const DETAIL_TYPE = 'Batch Inference Job State Change';
/** EventBridge events are at most 256 KiB. */
const MAX_EVENT_BYTES = 256 * 1024;

export interface EventBridgeReceiverOptions {
  /** The value the API destination's connection sends in `x-eventbridge-secret`. */
  secret: string;
  poller: Poller;
  logger: Logger;
  /**
   * Counts a missing or wrong secret against its sender (`from`: the HTTP server's request), as
   * failed authentications are; returns the refusal to send instead of 401 once the sender is
   * over its rate (429 with Retry-After). Unset: wrong secrets are only refused.
   */
  countWrongSecret?(from: IncomingMessage | undefined): WrongSecretRefusal | undefined;
}

/** How to turn a sender away that keeps presenting wrong secrets. */
export interface WrongSecretRefusal {
  status: number;
  headers: Record<string, string>;
  error: { message: string };
}

export interface EventBridgeReceiver {
  /** `from`: the HTTP server's request, which tells who sent it. */
  handle(request: Request, from?: IncomingMessage): Promise<Response>;
}

export function createEventBridgeReceiver({ secret, poller, logger, countWrongSecret }: EventBridgeReceiverOptions): EventBridgeReceiver {
  const expected = Buffer.from(secret);
  const authorised = (presented: string | null) => {
    const given = Buffer.from(presented ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const reject = (status: number, error: string) => Response.json({ error }, { status });

  return {
    async handle(request, from) {
      if (request.method !== 'POST') return reject(405, 'POST an EventBridge event');
      if (!authorised(request.headers.get(SECRET_HEADER))) {
        const refused = countWrongSecret?.(from);
        if (refused) return Response.json({ error: refused.error.message }, { status: refused.status, headers: refused.headers });
        return reject(401, `missing or wrong ${SECRET_HEADER}`);
      }
      if (Number(request.headers.get('content-length') ?? 0) > MAX_EVENT_BYTES) return reject(413, 'event too large');
      const body = await request.text();
      if (body.length > MAX_EVENT_BYTES) return reject(413, 'event too large');

      let event: { 'detail-type'?: unknown; detail?: { batchJobArn?: unknown } };
      try {
        event = JSON.parse(body) as typeof event;
      } catch {
        return reject(400, 'body is not JSON');
      }
      if (event?.['detail-type'] !== DETAIL_TYPE) return reject(400, `detail-type must be "${DETAIL_TYPE}"`);
      const arn = event.detail?.batchJobArn;
      const jobId = typeof arn === 'string' ? parseJobId(arn) : undefined;
      if (!jobId) return reject(400, 'detail.batchJobArn must be a model-invocation-job ARN');

      const refreshed = poller.isTracked(jobId);
      if (refreshed) {
        poller.refresh(jobId).catch((error: unknown) => logger.warn({ jobId, err: error }, 'refresh after event failed'));
      }
      return Response.json({ accepted: true, refreshed }, { status: 202 });
    },
  };
}
