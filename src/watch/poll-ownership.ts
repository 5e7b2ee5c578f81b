// Which instance refreshes what. Every instance watching a job runs poll rounds, but only the
// holder of the job's lease asks Bedrock; the others follow the events it publishes. One process
// without Redis is the only instance, so it owns everything (createLocalPollOwnership).
export interface PollOwnership {
  /** False for the single-process implementation: the poller then follows no peers at all. */
  readonly shared: boolean;
  /**
   * Takes or renews the lease of each key, in one batch, and resolves with the keys this instance
   * should refresh now. Never rejects: while leases cannot be reached every key is owned, so each
   * instance polls for itself until they can.
   */
  claim(keys: readonly string[]): Promise<ReadonlySet<string>>;
  /** Gives leases up (finished, or no longer watched here) so another instance takes over at once. */
  release(keys: readonly string[]): void;
  /** Stops renewing and gives up every lease held (graceful shutdown). */
  close(): Promise<void>;
}

/** Lease key of one job. */
export const jobLease = (jobId: string) => `job:${jobId}`;
/** Lease key of the account-wide list rounds. */
export const ACCOUNT_LEASE = 'account';

/** One process, no peers: every key is always ours. */
export function createLocalPollOwnership(): PollOwnership {
  return {
    shared: false,
    claim: async (keys) => new Set(keys),
    release: () => undefined,
    close: async () => undefined,
  };
}
