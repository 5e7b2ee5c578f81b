// The lifecycle engine on its own: transitions, counts, listing, stop, test controls, scale.
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type EngineOptions, type SimulatorEngine } from '../../src/simulator/engine.ts';
import { isTerminalStatus } from '../../src/simulator/lifecycle.ts';
import type { SimulatedJob } from '../../src/simulator/simulated-job.ts';
import { SimulatorError } from '../../src/simulator/errors.ts';
import { waitForJob } from './harness.ts';

const leftovers: SimulatorEngine[] = [];
afterEach(() => {
  while (leftovers.length > 0) leftovers.pop()?.dispose();
});

function engineWith(options: EngineOptions = {}): SimulatorEngine {
  const engine = createEngine({ autoStart: false, ...options });
  leftovers.push(engine);
  return engine;
}

/** Advances a job until it finishes, returning every value it had. */
function runToEnd(engine: SimulatorEngine, jobId: string): SimulatedJob[] {
  const seen = [engine.get(jobId) as SimulatedJob];
  for (let i = 0; i < 100 && !isTerminalStatus(seen[seen.length - 1]!.status); i++) seen.push(engine.advance(jobId));
  return seen;
}

describe('lifecycle', () => {
  it('should go Submitted → Validating → Scheduled → InProgress → Completed with growing counts', () => {
    const engine = engineWith();
    const job = engine.createJob({}, { outcome: 'Completed', totalRecordCount: 1000 });
    const seen = runToEnd(engine, job.jobId);
    const statuses = [...new Set(seen.map((j) => j.status))];
    expect(statuses).toEqual(['Submitted', 'Validating', 'Scheduled', 'InProgress', 'Completed']);

    const running = seen.filter((j) => j.status === 'InProgress');
    expect(running.length).toBeGreaterThan(2);
    for (let i = 1; i < running.length; i++) {
      expect(running[i]!.processedRecordCount!).toBeGreaterThan(running[i - 1]!.processedRecordCount!);
    }
    const done = seen[seen.length - 1]!;
    expect(done).toMatchObject({ totalRecordCount: 1000, processedRecordCount: 1000, successRecordCount: 1000, errorRecordCount: 0 });
    expect(done.endTime).toBeInstanceOf(Date);
    expect(done.message).toBeUndefined();
  });

  it('should end PartiallyCompleted with some errored records and a message', () => {
    const engine = engineWith();
    const job = engine.createJob({}, { outcome: 'PartiallyCompleted', totalRecordCount: 500 });
    const done = runToEnd(engine, job.jobId).pop()!;
    expect(done.status).toBe('PartiallyCompleted');
    expect(done.errorRecordCount).toBeGreaterThan(0);
    expect(done.successRecordCount! + done.errorRecordCount!).toBe(500);
    expect(done.message).toMatch(/records failed/);
  });

  it('should end Failed with a message', () => {
    const engine = engineWith({ randomSeed: 7 });
    for (let i = 0; i < 10; i++) {
      const job = engine.createJob({}, { outcome: 'Failed' });
      const done = runToEnd(engine, job.jobId).pop()!;
      expect(done.status).toBe('Failed');
      expect(done.message).toBeTruthy();
      expect(done.endTime).toBeInstanceOf(Date);
    }
  });

  it('should go Scheduled → Expired for an expiring job', () => {
    const engine = engineWith();
    const job = engine.createJob({}, { outcome: 'Expired' });
    const seen = runToEnd(engine, job.jobId);
    expect(seen.map((j) => j.status)).toEqual(['Submitted', 'Validating', 'Scheduled', 'Expired']);
  });

  it('should expire a job whose jobExpirationTime has passed on the next tick', async () => {
    const engine = engineWith({ stepMs: 5, autoStart: true });
    const job = engine.createJob({ jobExpirationTime: new Date(Date.now() - 1) }, { outcome: 'Completed' });
    const expired = await waitForJob(engine, job.jobId, (j) => j.status === 'Expired');
    expect(expired.message).toMatch(/timeout/);
  });

  it('should set jobExpirationTime to submitTime + timeoutDurationInHours and update lastModifiedTime on changes', () => {
    const engine = engineWith();
    const submitTime = new Date(Date.now() - 60_000);
    const job = engine.createJob({ submitTime, timeoutDurationInHours: 24 });
    expect(job.jobExpirationTime!.getTime()).toBe(submitTime.getTime() + 24 * 3_600_000);
    expect(job.lastModifiedTime).toEqual(submitTime);
    const next = engine.advance(job.jobId);
    expect(next.lastModifiedTime!.getTime()).toBeGreaterThan(submitTime.getTime());
  });

  it('should move jobs on the shared clock until they finish', async () => {
    const engine = engineWith({ stepMs: 5, autoStart: true });
    const job = engine.createJob({}, { outcome: 'Completed', totalRecordCount: 200 });
    const done = await waitForJob(engine, job.jobId, (j) => isTerminalStatus(j.status));
    expect(done.status).toBe('Completed');
  });

  it('should leave paused jobs to advance() alone', async () => {
    const engine = engineWith({ stepMs: 5, autoStart: true });
    const paused = engine.createJob({}, { paused: true });
    const moving = engine.createJob({}, { outcome: 'Completed', totalRecordCount: 100 });
    await waitForJob(engine, moving.jobId, (j) => isTerminalStatus(j.status));
    expect(engine.get(paused.jobId)!.status).toBe('Submitted');
    expect(engine.advance(paused.jobId).status).toBe('Validating');
  });

  it('should stop and restart the clock with pause() and resume()', async () => {
    const engine = engineWith({ stepMs: 5, autoStart: true });
    engine.pause();
    expect(engine.running).toBe(false);
    const job = engine.createJob({}, { outcome: 'Completed', totalRecordCount: 100 });
    engine.resume();
    expect(engine.running).toBe(true);
    await waitForJob(engine, job.jobId, (j) => isTerminalStatus(j.status));
  });
});

describe('stop', () => {
  it('should go Stopping → Stopped and keep the counts so far', () => {
    const engine = engineWith();
    const job = engine.createJob({}, { outcome: 'Completed', totalRecordCount: 1000 });
    for (let i = 0; i < 4; i++) engine.advance(job.jobId);
    const processed = engine.get(job.jobId)!.processedRecordCount;
    expect(engine.stop(job.jobArn).status).toBe('Stopping');
    const stopped = engine.advance(job.jobId);
    expect(stopped.status).toBe('Stopped');
    expect(stopped.processedRecordCount).toBe(processed);
    expect(stopped.endTime).toBeInstanceOf(Date);
  });

  it('should refuse to stop a finished or stopping job with a ValidationException', () => {
    const engine = engineWith();
    const job = engine.createJob({ status: 'Completed' });
    expect(() => engine.stop(job.jobId)).toThrow(SimulatorError);
    expect(() => engine.stop(job.jobId)).toThrow(/State was: Completed/);
    const other = engine.createJob();
    engine.stop(other.jobId);
    expect(() => engine.stop(other.jobId)).toThrow(/State was: Stopping/);
  });
});

describe('test controls', () => {
  it('should find jobs by ARN or bare id, and not by an ARN of another account', () => {
    const engine = engineWith();
    const job = engine.createJob();
    expect(engine.get(job.jobArn)).toBe(job);
    expect(engine.get(job.jobId)).toBe(job);
    expect(job.jobArn).toMatch(/^arn:aws:bedrock:us-east-1:123456789012:model-invocation-job\/[a-z0-9]{12}$/);
    expect(engine.get(job.jobArn.replace('123456789012', '000000000000'))).toBeUndefined();
  });

  it('should create jobs directly in any status with consistent members', () => {
    const engine = engineWith();
    const done = engine.createJob({ status: 'Completed', totalRecordCount: 300 });
    expect(done).toMatchObject({ status: 'Completed', processedRecordCount: 300, successRecordCount: 300, errorRecordCount: 0 });
    expect(done.endTime).toBeInstanceOf(Date);
    const running = engine.createJob({ status: 'InProgress', totalRecordCount: 300 });
    expect(running.processedRecordCount).toBeLessThan(300);
    expect(running.endTime).toBeUndefined();
  });

  it('should set a status with a patch, stamping endTime only for terminal ones', () => {
    const engine = engineWith();
    const job = engine.createJob();
    const failed = engine.setStatus(job.jobId, 'Failed', { message: 'boom' });
    expect(failed).toMatchObject({ status: 'Failed', message: 'boom' });
    expect(failed.endTime).toBeInstanceOf(Date);
    const again = engine.setStatus(job.jobId, 'InProgress');
    expect(again.endTime).toBeUndefined();
    expect(again.message).toBeUndefined();
  });

  it('should call onChange with the new and previous job after every change until unsubscribed', () => {
    const engine = engineWith();
    const events: [string, string | undefined][] = [];
    const unsubscribe = engine.onChange((job, previous) => events.push([job.status, previous?.status]));
    const job = engine.createJob();
    engine.advance(job.jobId);
    engine.stop(job.jobId);
    unsubscribe();
    engine.advance(job.jobId);
    expect(events).toEqual([
      ['Submitted', undefined],
      ['Validating', 'Submitted'],
      ['Stopping', 'Validating'],
    ]);
  });

  it('should give equal jobs for equal seeds', () => {
    const a = engineWith({ randomSeed: 42 });
    const b = engineWith({ randomSeed: 42 });
    const pick = (job: SimulatedJob) => [job.jobId, job.jobName, job.modelId];
    expect(a.addJobs(5).map(pick)).toEqual(b.addJobs(5).map(pick));
  });

  it("should keep a job's course independent of other jobs' steps", () => {
    const course = (jobs: SimulatedJob[]) => jobs.map((j) => [j.status, j.processedRecordCount, j.errorRecordCount, j.message]);
    const alone = engineWith({ randomSeed: 3 });
    const solo = alone.createJob({}, { outcome: 'PartiallyCompleted' });
    const busy = engineWith({ randomSeed: 3 });
    const twin = busy.createJob({}, { outcome: 'PartiallyCompleted' });
    const other = busy.createJob({}, { outcome: 'Failed' });
    busy.onChange((job) => {
      if (job.jobId === twin.jobId && !isTerminalStatus(busy.get(other.jobId)!.status)) busy.advance(other.jobId);
    });
    expect(twin.jobId).toBe(solo.jobId);
    expect(course(runToEnd(busy, twin.jobId))).toEqual(course(runToEnd(alone, solo.jobId)));
  });

  it('should add 10,000 jobs quickly and move them all on a cheap shared clock', async () => {
    const engine = engineWith({ stepMs: 10 });
    const started = performance.now();
    const jobs = engine.addJobs(10_000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(10_000);

    const moved = new Set<string>();
    const allMoved = new Promise<void>((resolve) => {
      engine.onChange((job) => {
        moved.add(job.jobId);
        if (moved.size === 10_000) resolve();
      });
    });
    engine.resume();
    await allMoved;
  });
});

describe('list', () => {
  it('should sort by submit time, descending by default, and page with a cursor token', () => {
    const engine = engineWith();
    const jobs = engine.addJobs(25, {}, { paused: true });
    const ids = jobs.map((j) => j.jobId);
    const collect = (sortOrder?: 'Ascending' | 'Descending') => {
      const out: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = engine.list({ sortOrder, maxResults: 10, nextToken });
        out.push(...page.jobs.map((j) => j.jobId));
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    };
    expect(collect()).toEqual([...ids].reverse());
    expect(collect('Descending')).toEqual([...ids].reverse());
    expect(collect('Ascending')).toEqual(ids);
  });

  it('should list jobs sharing a submit time in creation order, whatever their ids', () => {
    const engine = engineWith();
    const submitTime = new Date('2024-05-01T12:00:00.000Z');
    const ids = Array.from({ length: 8 }, () => engine.createJob({ submitTime }).jobId);
    expect(ids).not.toEqual([...ids].sort());
    expect(engine.list({ sortOrder: 'Ascending' }).jobs.map((j) => j.jobId)).toEqual(ids);
    expect(engine.list().jobs.map((j) => j.jobId)).toEqual([...ids].reverse());
  });

  it('should page by offset, so a job leaving the status filter behind the token hides the next one', () => {
    const engine = engineWith();
    const jobs = engine.addJobs(6, { status: 'InProgress' }, { paused: true });
    const first = engine.list({ statusEquals: 'InProgress', sortOrder: 'Ascending', maxResults: 3 });
    engine.setStatus(jobs[0]!.jobId, 'Completed');
    const next = engine.list({ statusEquals: 'InProgress', sortOrder: 'Ascending', maxResults: 3, nextToken: first.nextToken });
    expect([...first.jobs, ...next.jobs].map((j) => j.jobId)).toEqual([0, 1, 2, 4, 5].map((i) => jobs[i]!.jobId));
  });

  it('should not return a nextToken when the page holds the last match', () => {
    const engine = engineWith();
    engine.addJobs(10);
    expect(engine.list({ maxResults: 10 }).nextToken).toBeUndefined();
    expect(engine.list({ maxResults: 9 }).nextToken).toBeDefined();
  });

  it('should reject a token it did not issue', () => {
    const engine = engineWith();
    expect(() => engine.list({ nextToken: 'not-a-token' })).toThrow(/nextToken/);
  });
});
