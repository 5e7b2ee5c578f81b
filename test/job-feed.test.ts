// The job feed on its own: streams of one job grouped by the state they last received, fed by a
// real in-process pub/sub. The poller is a stand-in, so that what it "saw" but has not published
// yet can be set exactly; subscriptions.test.ts runs the same paths with the real poller.
import { describe, expect, it } from 'vitest';
import type { ModelInvocationJob } from '../src/bedrock/job.ts';
import { isPipeable, type Sink } from '../src/subscriptions/event-stream.ts';
import { createJobFeed, type JobChange } from '../src/subscriptions/job-feed.ts';
import { createJobPubSub } from '../src/watch/job-pub-sub.ts';
import type { Poller } from '../src/watch/poller.ts';

const JOB_ID = 'abcdefghijkl';
/** Whose share the streams spend. */
const CALLER = 'key:feedtest';

let minute = 0;
/** The job's next state: each one later than the one before. */
const state = (status: ModelInvocationJob['status'], processedRecordCount = 0): ModelInvocationJob =>
  ({
    jobArn: `arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/${JOB_ID}`,
    jobName: 'feed-test',
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    roleArn: 'arn:aws:iam::123456789012:role/bedrock-batch',
    status,
    processedRecordCount,
    submitTime: new Date(Date.UTC(2026, 10, 1)),
    lastModifiedTime: new Date(Date.UTC(2026, 10, 1, 0, ++minute)),
    inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://in/' } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://out/' } },
  }) as ModelInvocationJob;

/** A feed on a stand-in poller whose current and latest state the test sets. */
function feedFor(initial: ModelInvocationJob) {
  const poller = { current: initial, latest: undefined as ModelInvocationJob | undefined, watching: 0 };
  const pubSub = createJobPubSub();
  const feed = createJobFeed({
    pubSub,
    poller: {
      watch: () => {
        poller.watching += 1;
        return () => void (poller.watching -= 1);
      },
      current: async () => poller.current,
      latest: () => poller.latest,
      watchAccount: () => () => undefined,
    } as unknown as Poller,
  });
  const publishFor = (jobId: string, job: ModelInvocationJob) => pubSub.publish('job:changed', jobId, { job, observedAt: new Date() });
  const publish = (job: ModelInvocationJob) => publishFor(JOB_ID, job);
  const publishAccountChange = (job: ModelInvocationJob, previousStatus: ModelInvocationJob['status']) =>
    pubSub.publish('jobs:statusChanged', { job, previousStatus, observedAt: new Date() });
  return { feed, poller, publish, publishFor, publishAccountChange };
}

const next = async (stream: AsyncIterator<JobChange>) => {
  const result = await stream.next();
  return result.done ? 'done' : `${result.value.previousStatus ?? '-'}>${result.value.job.status}`;
};

describe('job feed', () => {
  it('should give streams that joined at different states each change once, then one shared event', async () => {
    const submitted = state('Submitted');
    const { feed, poller, publish } = feedFor(submitted);
    const early = await feed.follow(JOB_ID, 'status', CALLER);
    expect(await next(early)).toBe('->Submitted');

    // The poller has seen Scheduled, but not published it yet, when the second stream starts.
    const validating = state('Validating');
    publish(validating);
    expect(await next(early)).toBe('Submitted>Validating');
    const scheduled = state('Scheduled');
    poller.current = validating;
    poller.latest = scheduled;
    const late = await feed.follow(JOB_ID, 'status', CALLER);
    expect(await next(late)).toBe('->Validating');
    expect(await next(late)).toBe('Validating>Scheduled');

    // Published now: news to the early stream only. Then both are at one state.
    publish(scheduled);
    expect(await next(early)).toBe('Validating>Scheduled');
    publish(state('InProgress'));
    const [a, b] = await Promise.all([early.next(), late.next()]);
    expect(a.value).toBe(b.value);
    expect(a.value).toMatchObject({ previousStatus: 'Scheduled', job: { status: 'InProgress' } });
    expect(feed.size).toBe(2);
  });

  it('should hand a record-count change only to streams that follow anything, not only the status', async () => {
    const { feed, publish } = feedFor(state('InProgress', 10));
    const status = await feed.follow(JOB_ID, 'status', CALLER);
    const anything = await feed.follow(JOB_ID, 'anything', CALLER);
    await Promise.all([next(status), next(anything)]);

    publish(state('InProgress', 20));
    expect(await next(anything)).toBe('InProgress>InProgress');
    publish(state('Completed', 30));
    expect(await next(status)).toBe('InProgress>Completed');
    expect(await next(anything)).toBe('InProgress>Completed');
    expect(await next(status)).toBe('done');
    expect(await next(anything)).toBe('done');
  });

  it('should ignore a state older than the one a stream has, and a repeat of it', async () => {
    const stale = state('Validating');
    const { feed, publish } = feedFor(state('Scheduled'));
    const stream = await feed.follow(JOB_ID, 'status', CALLER);
    await next(stream);
    publish(stale);
    publish(state('Scheduled'));
    publish(state('InProgress'));
    expect(await next(stream)).toBe('Scheduled>InProgress');
  });

  it('should hand a terminal status to every stream before ending any, then release them all', async () => {
    const { feed, poller, publish } = feedFor(state('InProgress'));
    const log: string[] = [];
    let allEnded!: () => void;
    const ended = new Promise<void>((resolve) => (allEnded = resolve));
    for (const name of ['a', 'b', 'c']) {
      const stream = await feed.follow(JOB_ID, name === 'c' ? 'anything' : 'status', CALLER);
      if (!isPipeable<JobChange>(stream)) throw new Error('job streams can be piped');
      const sink: Sink<JobChange> = {
        next: (change) => log.push(`${name} ${change.job.status}`),
        end: () => log.push(`${name} end`) === 6 && allEnded(),
        fail: (error) => log.push(`${name} failed: ${String(error)}`),
      };
      stream.pipe(sink);
    }
    expect(log.splice(0).sort()).toEqual(['a InProgress', 'b InProgress', 'c InProgress']);
    publish(state('Completed'));
    await ended;
    expect(log.slice(0, 3).sort()).toEqual(['a Completed', 'b Completed', 'c Completed']);
    expect(log.slice(3).sort()).toEqual(['a end', 'b end', 'c end']);
    expect(feed.size).toBe(0);
    expect(poller.watching).toBe(0);
  });

  it('should hand out a change, and end finished streams, a chunk at a time with other work in between', async () => {
    const { feed, publish } = feedFor(state('InProgress'));
    const total = 1_200;
    const counts = { next: 0, end: 0 };
    // What other work, scheduled when the first stream is handed the event (or ended), would see.
    const seenByOthers: Partial<Record<keyof typeof counts, number>> = {};
    let allEnded!: () => void;
    const ended = new Promise<void>((resolve) => (allEnded = resolve));
    const count = (what: keyof typeof counts) => {
      if (++counts[what] === 1) setImmediate(() => (seenByOthers[what] = counts[what]));
    };
    for (let i = 0; i < total; i++) {
      const stream = await feed.follow(JOB_ID, 'status', CALLER);
      if (!isPipeable<JobChange>(stream)) throw new Error('job streams can be piped');
      stream.pipe({
        next: (change) => change.job.status === 'Completed' && count('next'),
        end: () => (count('end'), counts.end === total && allEnded()),
        fail: (error) => {
          throw error;
        },
      });
    }
    publish(state('Completed'));
    await ended;
    expect(counts).toEqual({ next: total, end: total });
    expect(seenByOthers.next).toBeGreaterThan(0);
    expect(seenByOthers.next).toBeLessThan(total);
    expect(seenByOthers.end).toBeGreaterThan(0);
    expect(seenByOthers.end).toBeLessThan(total);
    expect(feed.size).toBe(0);
  });

  it('should hand out the changes of jobs observed together a chunk at a time across jobs, and end their streams after', async () => {
    const { feed, publishFor } = feedFor(state('InProgress'));
    const jobIds = ['job000000001', 'job000000002', 'job000000003'];
    const perJob = 400;
    const total = jobIds.length * perJob;
    const counts = { next: 0, end: 0 };
    let firstEndAfter: number | undefined;
    // What other work, scheduled when the first stream is handed the event (or ended), would see.
    const seenByOthers: Partial<Record<keyof typeof counts, number>> = {};
    let allEnded!: () => void;
    const ended = new Promise<void>((resolve) => (allEnded = resolve));
    const count = (what: keyof typeof counts) => {
      if (++counts[what] === 1) setImmediate(() => (seenByOthers[what] = counts[what]));
      firstEndAfter ??= what === 'end' ? counts.next : undefined;
      if (counts.end === total) allEnded();
    };
    for (const jobId of jobIds) {
      for (let i = 0; i < perJob; i++) {
        const stream = await feed.follow(jobId, 'status', CALLER);
        if (!isPipeable<JobChange>(stream)) throw new Error('job streams can be piped');
        stream.pipe({
          next: (change) => change.job.status === 'Completed' && count('next'),
          end: () => count('end'),
          fail: (error) => {
            throw error;
          },
        });
      }
    }
    // One poll round: every job's change published in the same turn.
    for (const jobId of jobIds) publishFor(jobId, state('Completed'));
    await ended;
    expect(counts).toEqual({ next: total, end: total });
    // No stream of any of the jobs ended before every stream of every job had the event.
    expect(firstEndAfter).toBe(total);
    // Neither the events nor the ends of the three jobs went out in one turn.
    expect(seenByOthers.next).toBeLessThan(total);
    expect(seenByOthers.end).toBeLessThan(total);
    expect(feed.size).toBe(0);
  });

  it('should hand an account-wide change to many streams a chunk at a time, each stream by its filter', async () => {
    const { feed, publishAccountChange } = feedFor(state('Submitted'));
    const total = 1_200;
    const got: string[][] = Array.from({ length: total }, () => []);
    let delivered = 0;
    let seenByOthers: number | undefined;
    let allDelivered!: () => void;
    const done = new Promise<void>((resolve) => (allDelivered = resolve));
    for (let i = 0; i < total; i++) {
      const stream = feed.followAccount({ statusEquals: i % 2 === 0 ? 'InProgress' : 'Failed' });
      if (!isPipeable<JobChange>(stream)) throw new Error('account streams can be piped');
      stream.pipe({
        next: (change) => {
          got[i]!.push(String(change.job.status));
          if (++delivered === 1) setImmediate(() => (seenByOthers = delivered));
          if (delivered === total) allDelivered();
        },
        end: () => undefined,
        fail: (error) => {
          throw error;
        },
      });
    }
    publishAccountChange(state('InProgress'), 'Scheduled');
    publishAccountChange(state('Failed'), 'InProgress');
    await done;
    expect(seenByOthers).toBeGreaterThan(0);
    expect(seenByOthers).toBeLessThan(total / 2);
    expect(got.every((statuses, i) => statuses.join() === (i % 2 === 0 ? 'InProgress' : 'Failed'))).toBe(true);
    feed.close();
    expect(feed.size).toBe(0);
  });

  it('should keep delivering to the streams that stay when others leave', async () => {
    const { feed, poller, publish } = feedFor(state('Submitted'));
    const leaving = await feed.follow(JOB_ID, 'status', CALLER);
    const staying = await feed.follow(JOB_ID, 'status', CALLER);
    await Promise.all([next(leaving), next(staying)]);
    await leaving.return!();
    expect(feed.size).toBe(1);
    expect(poller.watching).toBe(1);
    publish(state('Validating'));
    expect(await next(staying)).toBe('Submitted>Validating');
    expect(await next(leaving)).toBe('done');
  });
});
