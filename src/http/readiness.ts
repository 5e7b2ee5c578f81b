// GET /readyz: whether *this instance* can serve. 503 only while it starts (not listening yet) or
// drains (shutdown has begun); otherwise 200, with how Bedrock is doing in the body.
//
// Bedrock's state never makes an instance unready: every instance calls the same Bedrock, so a
// throttle or an outage would take the whole fleet out of the load balancer at once, and with it
// what still works without Bedrock (cached finished jobs, the dashboard, GraphiQL, clear
// THROTTLED / UPSTREAM_UNAVAILABLE errors instead of a load balancer's 502). Other checks (Redis)
// work the same way: without them the instance still answers every query from upstream and every
// subscription by polling for itself. A failing check shows as `"ok": false` and `degraded`;
// why it fails (`detail`) only to callers the routes let see it (routes.ts).
//
// The upstream's state comes from the outcomes of the instance's real calls and the circuit
// breaker. Only when no call has reached Bedrock for a while does a check probe it, with one
// ListModelInvocationJobs call of one job shared by concurrent checks and not repeated for as
// long; so a load balancer polling every instance is not upstream traffic, and a check waits for
// a probe only briefly, so a hanging Bedrock cannot make /readyz hang.
import type { UpstreamHealth, UpstreamState } from '../bedrock/upstream-health.ts';

export interface CheckResult {
  ok: boolean;
  /** What is wrong, for operators: only in reports `check({ details: true })` makes. */
  detail?: string;
}

/** `starting` until the gateway listens, `serving`, then `draining` once shutdown has begun. */
export type ReadinessPhase = 'starting' | 'serving' | 'draining';

export interface ReadinessReport {
  /** Whether this instance should get traffic: it is serving. Nothing upstream changes it. */
  ready: boolean;
  phase: ReadinessPhase;
  /** How Bedrock is doing, as this instance's calls see it. */
  upstream: UpstreamState;
  /** Present when a check fails (Bedrock, Redis): the instance serves what it can. */
  degraded?: true;
  checks: Record<string, CheckResult>;
}

export interface ReadinessCheckOptions {
  /**
   * Keep each failing check's `detail` text. Without it the report says which checks fail, not
   * why: the text tells how Bedrock and Redis are failing, which is for operators. @default false
   */
  details?: boolean;
}

export interface Readiness {
  check(options?: ReadinessCheckOptions): Promise<ReadinessReport>;
  /** The gateway listens: ready from now on. */
  serving(): void;
  /** Shutdown has begun: unready from now on, for good. */
  draining(): void;
}

export interface ReadinessOptions {
  /** The upstream's state, from the outcomes of real calls. */
  health: Pick<UpstreamHealth, 'state' | 'lastCallAt'>;
  /** One cheap upstream call; its outcome reaches `health` like any other call's. */
  probe(): Promise<unknown>;
  /**
   * Further checks, evaluated on every request (they must be cheap, no I/O) and reported beside
   * the upstream without affecting `ready`. @default none
   */
  degradable?: Record<string, () => CheckResult>;
  /** Probe only when no call has reached Bedrock for this long, and at most once in it. @default 10000 */
  probeAfterMs?: number;
  /** Longest a check waits for its probe before answering with what is known. @default 1000 */
  probeWaitMs?: number;
  /** Clock in ms, the one `health` uses. @default Date.now */
  now?: () => number;
}

const DETAILS: Record<Exclude<UpstreamState, 'ok'>, string> = {
  throttled: 'Bedrock is throttling calls: queries for unfinished jobs may answer THROTTLED',
  unavailable: 'the last call to Bedrock failed or timed out',
  'circuit-open': 'calls to Bedrock fail fast with UPSTREAM_UNAVAILABLE after failures in a row (circuit breaker)',
};

export function createReadiness(options: ReadinessOptions): Readiness {
  const { health, probe, degradable = {}, probeAfterMs = 10_000, probeWaitMs = 1000, now = Date.now } = options;
  let phase: ReadinessPhase = 'starting';
  let probing: Promise<void> | undefined;
  let probedAt = -Infinity;

  // What is known of the upstream, after a probe when nothing recent is known.
  const upstreamState = async (): Promise<UpstreamState> => {
    const at = now();
    if (!probing && at - health.lastCallAt >= probeAfterMs && at - probedAt >= probeAfterMs) {
      probedAt = at;
      const settled = () => {
        probing = undefined;
      };
      probing = probe().then(settled, settled);
    }
    if (probing) await within(probing, probeWaitMs);
    return health.state;
  };

  return {
    async check({ details = false } = {}) {
      // Starting or draining, the answer is 503 whatever Bedrock says: no probe for it.
      const upstream = phase === 'serving' ? await upstreamState() : health.state;
      const checks: Record<string, CheckResult> = {
        upstream: upstream === 'ok' ? { ok: true } : { ok: false, detail: DETAILS[upstream] },
      };
      for (const [name, check] of Object.entries(degradable)) checks[name] = check();
      const degraded = Object.values(checks).some((result) => !result.ok);
      if (!details) for (const [name, { ok }] of Object.entries(checks)) checks[name] = { ok };
      return { ready: phase === 'serving', phase, upstream, ...(degraded ? { degraded: true as const } : {}), checks };
    },

    serving() {
      if (phase === 'starting') phase = 'serving';
    },

    draining() {
      phase = 'draining';
    },
  };
}

/** Waits for `promise`, or `ms`, whichever comes first. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise, elapsed]);
  clearTimeout(timer);
}
