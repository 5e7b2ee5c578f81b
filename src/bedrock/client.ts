// The one Bedrock client factory. Simulator and AWS differ only in endpoint, region and
// credentials; everything else (timeouts, retries, wire format) is the same path.
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

export function createBedrockClient(upstream: BedrockClientOptions, target: UpstreamTarget = {}): BedrockClient {
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
  });
}
