// The account tracker on its own: its states (off → baseline → settling → live → off), which
// observations it publishes on `jobs:statusChanged`, and how it shares the account with peers.
// A real in-process pub/sub carries the events; list-polling.test.ts runs the same rules against
// the simulator through the whole poller.
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus, ModelInvocationJob } from '../src/bedrock/job.ts';
import { jobIdFromArn } from '../src/bedrock/job-identifier.ts';
import { createAccountTracker } from '../src/watch/account-tracker.ts';
import { createJobPubSub, type AccountJobChange } from '../src/watch/job-pub-sub.ts';
import { ACCOUNT_LEASE, createLocalPollOwnership, type PollOwnership } from '../src/watch/poll-ownership.ts';

const disposals: Array<() => void> = [];
afterEach(() => disposals.splice(0).forEach((dispose) => dispose()));

/** A job submitted `minute` minutes into the test's day; the id is padded to 12 characters. */
const job = (id: string, status: JobStatus, minute: number): ModelInvocationJob =>
  ({
    jobArn: `arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/${id.padEnd(12, '0')}`,
    jobName: id,
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    roleArn: 'arn:aws:iam::123456789012:role/bedrock-batch',
    status,
    submitTime: new Date(Date.UTC(2026, 10, 1, 0, minute)),
    inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://in/' } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://out/' } },
  }) as ModelInvocationJob;
const at = (minute: number) => Date.UTC(2026, 10, 1, 0, minute);

// Published last, it arrives after everything published before it.
const MARKER = job('marker', 'Completed', 0);

/** Ownership shared with peers (leases as the test grants them), recording what it gives up. */
function peerOwnership(): PollOwnership & { released: string[] } {
  const released: string[] = [];
  return {
    shared: true,
    claim: async (keys) => new Set(keys),
    release: (keys) => void released.push(...keys),
    close: async () => undefined,
    released,
  };
}

function trackerWith(ownership: PollOwnership = createLocalPollOwnership()) {
  const pubSub = createJobPubSub();
  const tracker = createAccountTracker({ pubSub, ownership });
  const published: AccountJobChange[] = [];
  let markerArrived: (() => void) | undefined;
  const unfollow = pubSub.listenToAccount((change) => {
    if (change.job === MARKER) markerArrived?.();
    else published.push(change);
  });
  disposals.push(unfollow, () => tracker.close());

  const observe = (observed: ModelInvocationJob, baseline = false) =>
    tracker.observe(jobIdFromArn(observed.jobArn), observed, new Date(), { baseline });
  /** What was published since the last call, as [job name, previous status, status]. */
  const changes = async () => {
    const arrived = new Promise<void>((resolve) => (markerArrived = resolve));
    pubSub.publish('jobs:statusChanged', { job: MARKER, previousStatus: null, observedAt: new Date() });
    await arrived;
    return published.splice(0).map(({ job: { jobName, status }, previousStatus }) => [jobName, previousStatus, status]);
  };
  /** A peer holding the account lease publishes a change. */
  const peerPublishes = (change: ModelInvocationJob, previousStatus: JobStatus | null) =>
    pubSub.publish('jobs:statusChanged', { job: change, previousStatus, observedAt: new Date() });
  return { tracker, observe, changes, peerPublishes };
}

describe('the account tracker alone', () => {
  it('should publish nothing the baseline finds, then every new status, new jobs included', async () => {
    const { tracker, observe, changes } = trackerWith();
    expect(tracker.state).toBe('off');
    tracker.watch();
    expect(tracker.state).toBe('baseline');
    expect(tracker.claimed(new Set([ACCOUNT_LEASE]))).toBe(true);

    observe(job('running', 'InProgress', 1), true);
    observe(job('queued', 'Submitted', 2), true);
    tracker.baselineRead();
    expect(tracker.state).toBe('settling');
    expect(await changes()).toEqual([]);

    observe(job('running', 'InProgress', 1));
    observe(job('running', 'Completed', 1));
    observe(job('fresh', 'Submitted', 3));
    tracker.listed(tracker.horizon());
    expect(tracker.state).toBe('live');
    observe(job('queued', 'Validating', 2));
    expect(await changes()).toEqual([
      ['running', 'InProgress', 'Completed'],
      ['fresh', null, 'Submitted'],
      ['queued', 'Submitted', 'Validating'],
    ]);
  });

  it('should not publish a job first seen finished while settling, unless it is newer than the newest the baseline saw', async () => {
    const { tracker, observe, changes } = trackerWith();
    tracker.watch();
    observe(job('newest', 'InProgress', 10), true);
    tracker.baselineRead();

    observe(job('longdone', 'Completed', 5));
    observe(job('between', 'Completed', 11));
    tracker.listed(tracker.horizon());
    observe(job('afterward', 'Failed', 4));
    expect(await changes()).toEqual([
      ['between', null, 'Completed'],
      ['afterward', null, 'Failed'],
    ]);
  });

  it('should start list rounds at the oldest unfinished job, else the newest seen, and forget finished jobs older than that', async () => {
    const { tracker, observe, changes } = trackerWith();
    tracker.watch();
    observe(job('old', 'Completed', 1), true);
    observe(job('mid', 'InProgress', 5), true);
    observe(job('new', 'Submitted', 9), true);
    tracker.baselineRead();
    expect(tracker.horizon()).toBe(at(5));
    expect(tracker.unfinished).toBe(2);

    observe(job('mid', 'Stopped', 5));
    observe(job('new', 'Completed', 9));
    expect(tracker.unfinished).toBe(0);
    expect(tracker.horizon()).toBe(at(9));
    tracker.listed(at(9));
    expect(await changes()).toEqual([
      ['mid', 'InProgress', 'Stopped'],
      ['new', 'Submitted', 'Completed'],
    ]);

    // `mid` was forgotten, so seeing it is news again; `new` (not older than the horizon) was not.
    observe(job('mid', 'Stopped', 5));
    observe(job('new', 'Completed', 9));
    expect(await changes()).toEqual([['mid', null, 'Stopped']]);
  });

  it('should go off and forget everything when the last stream goes, and take a new baseline after', async () => {
    const { tracker, observe, changes } = trackerWith();
    const first = tracker.watch();
    const second = tracker.watch();
    observe(job('known', 'InProgress', 1), true);
    tracker.baselineRead();
    tracker.listed(tracker.horizon());

    expect(first()).toBe(false);
    expect(first()).toBe(false);
    expect(tracker).toMatchObject({ state: 'live', watchers: 1 });
    expect(second()).toBe(true);
    expect(tracker).toMatchObject({ state: 'off', watchers: 0, unfinished: 0 });
    expect(tracker.leases()).toEqual([]);
    observe(job('known', 'Completed', 1));

    tracker.watch();
    expect(tracker.state).toBe('baseline');
    observe(job('known', 'Completed', 1), true);
    expect(await changes()).toEqual([]);
  });

  it('should stay off when the last stream goes while the baseline is being read', () => {
    const { tracker, observe } = trackerWith();
    const release = tracker.watch();
    observe(job('seen', 'InProgress', 1), true);
    release();
    observe(job('late', 'InProgress', 2), true);
    tracker.baselineRead();
    tracker.listed(tracker.horizon());
    expect(tracker).toMatchObject({ state: 'off', unfinished: 0 });
  });
});

describe('the account tracker with peers', () => {
  it('should follow the lease holder instead of its own reads, and give the lease up with the last stream', async () => {
    const ownership = peerOwnership();
    const { tracker, observe, changes, peerPublishes } = trackerWith(ownership);
    const release = tracker.watch();
    expect(tracker.leases()).toEqual([ACCOUNT_LEASE]);
    expect(tracker.claimed(new Set())).toBe(false);

    observe(job('ours', 'InProgress', 1));
    peerPublishes(job('theirs', 'Scheduled', 2), null);
    expect(await changes()).toEqual([['theirs', null, 'Scheduled']]);
    expect(tracker.unfinished).toBe(1);

    release();
    expect(ownership.released).toEqual([ACCOUNT_LEASE]);
  });

  it('should publish what changed since the last holder published, once it takes the lease over', async () => {
    const { tracker, observe, changes, peerPublishes } = trackerWith(peerOwnership());
    tracker.watch();
    tracker.claimed(new Set());
    peerPublishes(job('handed', 'Scheduled', 1), null);
    peerPublishes(job('steady', 'InProgress', 2), null);
    expect(await changes()).toHaveLength(2);

    expect(tracker.claimed(new Set([ACCOUNT_LEASE]))).toBe(true);
    observe(job('handed', 'InProgress', 1), true);
    observe(job('steady', 'InProgress', 2), true);
    observe(job('unknown', 'InProgress', 3), true);
    tracker.baselineRead();
    expect(await changes()).toEqual([['handed', 'Scheduled', 'InProgress']]);
  });
});
