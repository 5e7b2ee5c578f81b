// GET /readyz: 200 when the upstream answers, 503 otherwise. The probe result is kept for a
// moment so that a load balancer polling every instance does not turn into upstream traffic.
//
// Other checks (Redis) are reported but never make the instance unready: without them it still
// answers every query from upstream and every subscription by polling for itself, so a load
// balancer should keep sending it traffic. A failing one shows as `"ok": false` and `degraded`.
import type { JobsApi } from '../bedrock/jobs.ts';

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** Present when a check that does not affect readiness fails (the instance runs on its own). */
  degraded?: true;
  checks: Record<string, CheckResult>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

/** How long one probe result is reused. */
const PROBE_TTL_MS = 2000;

/**
 * `degradable` checks are evaluated on every call (they must be cheap, no I/O) and reported
 * beside the upstream probe without affecting `ready`.
 */
export function createReadiness(jobs: JobsApi, degradable: Record<string, () => CheckResult> = {}): Readiness {
  let last: { at: number; report: Promise<ReadinessReport> } | undefined;

  const probe = async (): Promise<ReadinessReport> => {
    try {
      await jobs.listJobs({ maxResults: 1 });
      return { ready: true, checks: { upstream: { ok: true } } };
    } catch (error) {
      return { ready: false, checks: { upstream: { ok: false, detail: (error as Error).message } } };
    }
  };

  return {
    async check() {
      if (!last || Date.now() - last.at > PROBE_TTL_MS) last = { at: Date.now(), report: probe() };
      const report = await last.report;
      const extra = Object.entries(degradable).map(([name, check]) => [name, check()] as const);
      if (extra.length === 0) return report;
      const degraded = extra.some(([, result]) => !result.ok);
      return { ...report, ...(degraded ? { degraded: true as const } : {}), checks: { ...report.checks, ...Object.fromEntries(extra) } };
    },
  };
}
