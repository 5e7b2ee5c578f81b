// The one Bedrock client factory. Simulator and AWS differ only in endpoint, region and
// credentials; everything else (timeouts, retries, wire format) is the same path. Also the
// start-up check of aws mode: the region and credentials the SDK would use, resolved by the
// SDK's own providers before the gateway listens, so that a missing one stops start-up with one
// line instead of answering "Bedrock is unreachable" to every query.
import { BedrockClient } from '@aws-sdk/client-bedrock';

/** How the SDK calls Bedrock (UPSTREAM_* variables). */
export interface BedrockClientOptions {
  /** Per-attempt HTTP timeout for an upstream call. */
  attemptTimeoutMs: number;
  /** SDK attempts per call (first try plus retries). */
  maxAttempts: number;
  /** `adaptive` adds the SDK's client-side rate limiting on top of its retries. */
  retryMode: 'standard' | 'adaptive';
}

export interface UpstreamTarget {
  /** Overrides the SDK's endpoint resolution (the simulator's URL). */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createBedrockClient(upstream: BedrockClientOptions, target: UpstreamTarget = {}, logger?: SdkLogger): BedrockClient {
  return new BedrockClient({
    ...target,
    maxAttempts: upstream.maxAttempts,
    // `adaptive` also slows the whole client after a throttle. Its rate estimate comes from recent
    // traffic, so at low traffic one throttle drops it to 0.5 calls/s and a batch lookup then
    // runs into its deadline; hence `standard` by default, plus the shared token bucket in jobs.ts.
    retryMode: upstream.retryMode,
    // Without these the SDK waits forever on an upstream that accepts the connection and
    // never answers; the per-call deadline in jobs.ts caps the total across retries.
    requestHandler: {
      connectionTimeout: Math.min(upstream.attemptTimeoutMs, 3000),
      requestTimeout: upstream.attemptTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(logger ? { logger } : {}),
  });
}

/** The SDK's logger interface (only the check below passes one). */
type SdkLogger = Record<'trace' | 'debug' | 'info' | 'warn' | 'error', (...content: unknown[]) => void>;

/** What aws mode will call, as the SDK resolved it at start-up. */
export interface AwsTarget {
  region: string;
  /** The Bedrock endpoint: AWS_ENDPOINT_URL_BEDROCK (or a profile's endpoint_url), else AWS's for the region. */
  endpoint: string | undefined;
  /** Where the credentials came from, in words ("environment variables", "a shared config profile", …). */
  credentialSource: string;
  /** What to tell the operator that does not stop start-up, a line each. */
  warnings: string[];
}

/** Region or credentials could not be resolved; the message is one line naming what is missing and how to provide it. */
export class AwsSetupError extends Error {
  override name = 'AwsSetupError';
}

export interface AwsSetupCheckOptions extends BedrockClientOptions {
  /**
   * Longest wait for the credentials. The chain may ask the instance metadata service (1 s per
   * request, no retries, twice at most where nothing answers), run a credential_process or
   * refresh an SSO token; start-up never waits longer than this for them. @default 5000
   */
  timeoutMs?: number;
}

/** How to provide credentials, for every message that says they are missing. */
const CREDENTIAL_OPTIONS =
  'set AWS_PROFILE to a profile in ~/.aws/config or ~/.aws/credentials (for SSO, run "aws sso login --profile <name>" first), ' +
  'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys), ' +
  'or run where an instance or task role provides them (EC2, ECS, EKS)';

/**
 * Resolves the region, endpoint and credentials a Bedrock client of aws mode would use, with the
 * SDK's own providers (AWS_REGION, AWS_PROFILE and ~/.aws/*, environment keys, SSO, web identity,
 * container and instance roles), without calling AWS. Rejects with an AwsSetupError whose message
 * names what is missing and how to provide it. A client of its own, with the SDK's debug trail
 * kept to name the profile it tried: a failed check leaves nothing behind, and the gateway's
 * client resolves again (once, then cached by the SDK) on its first call.
 */
export async function checkAwsSetup(options: AwsSetupCheckOptions): Promise<AwsTarget> {
  const trail: string[] = [];
  const quiet = () => undefined;
  const client = createBedrockClient(options, {}, {
    trace: quiet,
    debug: (...content) => void trail.push(content.map(String).join(' ')),
    info: quiet,
    // The SDK's multi-line warnings would otherwise go to the console; the ones it makes once per
    // process (AWS_PROFILE beside AWS_ACCESS_KEY_ID) come out here, and become a line of ours.
    warn: (...content) => void trail.push(content.map(String).join(' ')),
    error: quiet,
  });
  try {
    const region = await client.config.region().catch((error: unknown) => {
      throw new AwsSetupError(regionProblem(error));
    });
    const endpoint = await endpointOf(client, region);
    const timeoutMs = options.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AwsSetupError(lateCredentials(timeoutMs))), timeoutMs);
      timer.unref();
    });
    try {
      const credentials = await Promise.race([client.config.credentials(), late]);
      return { region, endpoint, credentialSource: sourceOf(credentials), warnings: sdkWarnings(trail) };
    } catch (error) {
      if (error instanceof AwsSetupError) throw error;
      // A Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) signs Bedrock's calls instead; S3 still needs credentials.
      const preferred = await client.config.authSchemePreference().catch((): string[] => []);
      if (preferred.includes('httpBearerAuth')) {
        return {
          region,
          endpoint,
          credentialSource: 'a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)',
          warnings: [
            ...sdkWarnings(trail),
            `No AWS credentials besides the Bedrock API key: job results in S3 cannot be read until there are (${CREDENTIAL_OPTIONS})`,
          ],
        };
      }
      throw new AwsSetupError(credentialsProblem(error, trail));
    } finally {
      clearTimeout(timer);
    }
  } finally {
    client.destroy();
  }
}

function regionProblem(error: unknown): string {
  const message = oneLine(error);
  if (/missing/i.test(message)) {
    return 'BEDROCK_BACKEND=aws needs an AWS region and none is set: set AWS_REGION (e.g. AWS_REGION=us-east-1), or region in the ~/.aws/config profile that AWS_PROFILE names (the AWS SDK for JavaScript does not read AWS_DEFAULT_REGION)';
  }
  return `BEDROCK_BACKEND=aws cannot use the AWS region: ${message}; set AWS_REGION to a region name such as us-east-1`;
}

function credentialsProblem(error: unknown, trail: readonly string[]): string {
  const message = oneLine(error);
  // The chain's last link says only this; a link that knew better (an expired SSO session, a
  // broken profile) would have stopped the chain with its own message.
  if (!/Could not load credentials from any providers/.test(message)) {
    return `BEDROCK_BACKEND=aws could not load AWS credentials: ${message}`;
  }
  const profile = /using profile: \[([^\]]+)\]/.exec(trail.join('\n'))?.[1];
  const tried = profile && profile !== 'default' ? ` (AWS_PROFILE=${profile} gave none: no such profile with credentials in ~/.aws/config or ~/.aws/credentials)` : '';
  const imdsOff = trail.some((line) => /Instance Metadata Service access disabled/.test(line))
    ? ' (the instance metadata service was not asked: AWS_EC2_METADATA_DISABLED is set)'
    : '';
  return `BEDROCK_BACKEND=aws needs AWS credentials and found none${tried}: ${CREDENTIAL_OPTIONS}${imdsOff}`;
}

function lateCredentials(timeoutMs: number): string {
  return `BEDROCK_BACKEND=aws could not load AWS credentials within ${timeoutMs / 1000} s (a credential_process, an SSO token refresh, a container credentials endpoint or the instance metadata service did not answer in time): check the profile AWS_PROFILE names, or ${CREDENTIAL_OPTIONS}`;
}

/** The SDK's warnings in the trail, a line each. */
function sdkWarnings(trail: readonly string[]): string[] {
  return trail.some((line) => /Multiple credential sources detected/.test(line))
    ? ['Both AWS_PROFILE and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set: the AWS SDK uses the profile (a later SDK may prefer the keys); unset one of them']
    : [];
}

/** The endpoint the client will call; undefined when the SDK cannot say without a request. */
async function endpointOf(client: BedrockClient, region: string): Promise<string | undefined> {
  try {
    const configured = await client.config.serviceConfiguredEndpoint?.();
    if (configured) return String(configured);
    return client.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false }).url.href;
  } catch {
    return undefined;
  }
}

/** The SDK marks resolved credentials with the feature ids of their source (`$source`). */
const SOURCES: ReadonlyArray<[RegExp, string]> = [
  [/^CREDENTIALS_(PROFILE_)?SSO/, 'SSO (a shared config profile)'],
  [/^CREDENTIALS_(PROFILE_)?PROCESS/, 'a credential_process (a shared config profile)'],
  [/STS_WEB_ID_TOKEN|ASSUME_ROLE_WEB_ID/, 'a web identity token (EKS)'],
  [/^CREDENTIALS_STS_ASSUME_ROLE|SOURCE_PROFILE|NAMED_PROVIDER/, 'an assumed role (a shared config profile)'],
  [/^CREDENTIALS_PROFILE/, 'a shared config profile'],
  [/^CREDENTIALS_ENV_VARS$/, 'environment variables (AWS_ACCESS_KEY_ID)'],
  [/^CREDENTIALS_HTTP$/, 'the container credentials endpoint (ECS task role)'],
  [/^CREDENTIALS_IMDS$/, 'the instance metadata service (EC2 instance role)'],
  [/^CREDENTIALS_CODE$/, 'the client configuration'],
];

function sourceOf(credentials: object): string {
  const features = Object.keys((credentials as { $source?: Record<string, string> }).$source ?? {});
  for (const [pattern, words] of SOURCES) if (features.some((feature) => pattern.test(feature))) return words;
  return 'the AWS SDK default credential chain';
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
}
