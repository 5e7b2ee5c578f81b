// Following one job on the pub/sub: a listener on its event target, handing observations over in
// order, each in a microtask of its own, and nothing once let go.
import { describe, expect, it } from 'vitest';
import type { ModelInvocationJob } from '../src/bedrock/job.ts';
import { createJobPubSub, type JobObservation } from '../src/watch/job-pub-sub.ts';

const observation = (processedRecordCount: number): JobObservation => ({
  job: { jobArn: 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl', processedRecordCount } as ModelInvocationJob,
  observedAt: new Date(),
});
const counts = (taken: JobObservation[]) => taken.map(({ job }) => job.processedRecordCount);

describe('listenToJob', () => {
  it("should hand over a job's observations in order, after the publisher's turn, and only that job's", async () => {
    const pubSub = createJobPubSub();
    const taken: JobObservation[] = [];
    pubSub.listenToJob('abcdefghijkl', (event) => taken.push(event));
    pubSub.publish('job:changed', 'abcdefghijkl', observation(1));
    pubSub.publish('job:changed', 'other0000000', observation(99));
    pubSub.publish('job:changed', 'abcdefghijkl', observation(2));
    // Not inside the publisher's own loop.
    expect(taken).toEqual([]);
    await Promise.resolve();
    expect(counts(taken)).toEqual([1, 2]);
  });

  it('should hand over nothing once let go, not even what was published before in the same turn', async () => {
    const target = new EventTarget();
    const pubSub = createJobPubSub(target as Parameters<typeof createJobPubSub>[0]);
    const taken: JobObservation[] = [];
    const stop = pubSub.listenToJob('abcdefghijkl', (event) => taken.push(event));
    pubSub.publish('job:changed', 'abcdefghijkl', observation(1));
    stop();
    pubSub.publish('job:changed', 'abcdefghijkl', observation(2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(taken).toEqual([]);
    // What listens on a given target hears what is published there (Redis's target in scale-out).
    pubSub.listenToJob('abcdefghijkl', (event) => taken.push(event));
    target.dispatchEvent(new CustomEvent('job:changed:abcdefghijkl', { detail: observation(3) }));
    await Promise.resolve();
    expect(counts(taken)).toEqual([3]);
  });
});
