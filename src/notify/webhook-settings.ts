// The rules of the WEBHOOK_* values that are more than a number, for config.ts: receivers' URLs,
// the signing secret, the statuses announced. Each parser throws an Error saying what is wrong
// in words that never repeat a secret; config.ts names the variable and the rule around it.
// (No signing library here: config.ts loads this whether webhooks are on or not.)
import { JOB_STATUSES, isTerminalStatus, jobStatusFromName, jobStatusName, type JobStatus } from '../bedrock/job.ts';

export const WEBHOOK_URLS_RULE = 'a comma-separated list of http(s) URLs of receivers, such as https://hooks.example.com/bedrock';

export const WEBHOOK_SECRET_RULE =
  `whsec_ followed by the base64 of 24 to 64 random bytes; make one with ` +
  `node -e "console.log('whsec_'+require('crypto').randomBytes(32).toString('base64'))"`;

export const WEBHOOK_STATUSES_RULE = `all, or a comma-separated list of ${JOB_STATUSES.map(jobStatusName).join(', ')}`;

/** Announced when WEBHOOK_STATUSES is unset: the final statuses. */
const DEFAULT_WEBHOOK_STATUSES: ReadonlySet<JobStatus> = new Set(JOB_STATUSES.filter(isTerminalStatus));

/** Standard Webhooks' range of secret sizes, in bytes. */
const SECRET_BYTES = { min: 24, max: 64 } as const;
const SECRET_PREFIX = 'whsec_';

/**
 * Receivers' URLs. An entry is never echoed in an error: a webhook URL's path or query is often
 * the receiver's credential.
 */
export function parseWebhookUrls(text: string): URL[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  return entries.map((entry, index) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`entry ${index + 1} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`entry ${index + 1} is ${url.protocol} rather than http: or https:`);
    // fetch refuses such URLs; a receiver wanting Basic auth cannot have it this way.
    if (url.username || url.password) throw new Error(`entry ${index + 1} carries credentials (user:password@), which fetch refuses`);
    return url;
  });
}

/** What is wrong with `value` as a signing secret, or undefined when nothing is. Never any part of it. */
export function webhookSecretProblem(value: string): string | undefined {
  if (!value.startsWith(SECRET_PREFIX)) return `no ${SECRET_PREFIX} prefix`;
  const encoded = value.slice(SECRET_PREFIX.length);
  // Canonical standard base64, padding included: what every Standard Webhooks library decodes.
  const bytes = Buffer.from(encoded, 'base64');
  if (encoded === '' || bytes.toString('base64') !== encoded) return `text after ${SECRET_PREFIX} that is not padded standard base64`;
  if (bytes.length < SECRET_BYTES.min || bytes.length > SECRET_BYTES.max) return `${bytes.length} bytes`;
  return undefined;
}

/** `all`, or status names as in the GraphQL enum (any case); empty: the default (terminal) ones. */
export function parseWebhookStatuses(text: string): ReadonlySet<JobStatus> {
  if (text.trim() === '') return DEFAULT_WEBHOOK_STATUSES;
  if (text.trim().toLowerCase() === 'all') return new Set(JOB_STATUSES);
  const statuses = new Set<JobStatus>();
  for (const name of text.split(',').map((entry) => entry.trim())) {
    const status = jobStatusFromName(name.toUpperCase());
    if (!status) throw new Error(`got ${JSON.stringify(name)}`);
    statuses.add(status);
  }
  return statuses;
}
