// Whether an operation's answer may be served again from the response cache. Only answers made
// of finished jobs qualify: a finished job never changes, anything else may change at any time.
// The resolvers note every job they serve; the response cache asks `cacheable` at the end.
import { isTerminalStatus, type ModelInvocationJob } from '../bedrock/job.ts';

/** Root fields whose answer is nothing but the jobs they load (and so noted here). */
export const CACHEABLE_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'modelInvocationJob',
  'modelInvocationJobsByIdentifier',
  '__typename',
]);

export interface Cacheability {
  /** Records a job the answer contains. */
  noteJob(job: ModelInvocationJob): void;
  /** Records that the answer contains something that may change (never cache it). */
  markVolatile(): void;
  /** True when at least one job was served, every one finished, and nothing volatile. */
  readonly cacheable: boolean;
}

export function createCacheability(): Cacheability {
  return new AnswerCacheability();
}

// A class, not closures: every operation has one, and a subscription keeps its own as long as it runs.
class AnswerCacheability implements Cacheability {
  private jobs = 0;
  private volatile = false;

  noteJob(job: ModelInvocationJob): void {
    this.jobs += 1;
    if (!isTerminalStatus(job.status)) this.volatile = true;
  }

  markVolatile(): void {
    this.volatile = true;
  }

  get cacheable(): boolean {
    return this.jobs > 0 && !this.volatile;
  }
}
