// GET /readyz: 200 when the upstream answers, 503 otherwise. The probe result is kept for a
// moment so that a load balancer polling every instance does not turn into upstream traffic.
import type { JobsApi } from './bedrock/jobs.ts';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

/** How long one probe result is reused. */
const PROBE_TTL_MS = 2000;

export function createReadiness(jobs: JobsApi): Readiness {
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
    check() {
      if (!last || Date.now() - last.at > PROBE_TTL_MS) last = { at: Date.now(), report: probe() };
      return last.report;
    },
  };
}
