// Webhooks as the gateway starts them: loaded only when WEBHOOK_URLS is set (the signing library
// included), claims shared through Redis when there is one, every outcome counted in the metrics.
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { JobPubSub } from '../watch/job-pub-sub.ts';
import type { Poller } from '../watch/poller.ts';
import type { WebhookClaims } from './webhook-claims.ts';
import type { WebhookOptions, Webhooks } from './webhooks.ts';

export interface WebhookStartParts {
  pubSub: JobPubSub;
  poller: Poller;
  /** Shared claims (Redis); undefined: this process claims alone. */
  sharedClaims: WebhookClaims | undefined;
  metrics: Pick<GatewayMetrics, 'countWebhookDelivery' | 'observeWebhookAttempt' | 'watchWebhooks'>;
  logger: Logger;
}

export async function startWebhooks(options: WebhookOptions, parts: WebhookStartParts): Promise<Webhooks> {
  const { pubSub, poller, sharedClaims, metrics, logger } = parts;
  const [{ createWebhooks }, { createLocalWebhookClaims }] = await Promise.all([import('./webhooks.ts'), import('./webhook-claims.ts')]);
  const webhooks = createWebhooks(options, {
    pubSub,
    poller,
    claims: sharedClaims ?? createLocalWebhookClaims(),
    onOutcome: (outcome) => metrics.countWebhookDelivery(outcome),
    onAttempt: (seconds, delivered) => metrics.observeWebhookAttempt(seconds, delivered),
    logger: logger.child({ component: 'webhooks' }),
  });
  metrics.watchWebhooks(() => webhooks.queued);
  return webhooks;
}
