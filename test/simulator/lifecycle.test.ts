// Jobs created through the SDK run their lifecycle on the clock; the demo seed keeps itself alive.
import {
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  ListModelInvocationJobsCommand,
  StopModelInvocationJobCommand,
} from '@aws-sdk/client-bedrock';
import { describe, expect, it } from 'vitest';
import { isTerminalStatus, type SimulatedJob, type SimulatedJobStatus } from '../../src/simulator/index.ts';
import { clientFor, useSimulator, waitForJob } from './harness.ts';

const createInput = {
  jobName: 'lifecycle-run',
  roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://my-bucket/in/records.jsonl' } },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://my-bucket/out/' } },
};

describe('lifecycle over the wire', () => {
  it('should take a created job to a terminal status, visible through GetModelInvocationJob', async () => {
    const sim = await useSimulator({ stepMs: 20 });
    const client = clientFor(sim);
    const events: SimulatedJob[] = [];
    const unsubscribe = sim.engine.onChange((job) => events.push(job));
    const { jobArn } = await client.send(new CreateModelInvocationJobCommand(createInput));
    const done = await waitForJob(sim.engine, jobArn!, (job) => isTerminalStatus(job.status));
    unsubscribe();

    const mine = events.filter((job) => job.jobArn === jobArn);
    const statuses = mine.map((job) => job.status).filter((status, i, all) => status !== all[i - 1]);
    expect(statuses.slice(0, 2)).toEqual(['Submitted', 'Validating']);
    expect(statuses.at(-1)).toBe(done.status);
    const processed = mine.filter((job) => job.status === 'InProgress').map((job) => job.processedRecordCount!);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    const got = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
    expect(got.status).toBe(done.status);
    expect(got.endTime).toEqual(done.endTime);
    expect(got.lastModifiedTime!.getTime()).toBeGreaterThanOrEqual(got.submitTime!.getTime());
  });

  it('should stop a running job through the SDK and finish it as Stopped on the clock', async () => {
    const sim = await useSimulator({ stepMs: 20 });
    const client = clientFor(sim);
    // Held still between create and stop, so that the job cannot have finished on its own.
    sim.engine.pause();
    const { jobArn } = await client.send(new CreateModelInvocationJobCommand(createInput));
    await client.send(new StopModelInvocationJobCommand({ jobIdentifier: jobArn }));
    sim.engine.resume();
    const stopped = await waitForJob(sim.engine, jobArn!, (job) => isTerminalStatus(job.status));
    expect(stopped.status).toBe('Stopped');
  });
});

describe('demo seed', () => {
  it('should start with jobs in varied states', async () => {
    const sim = await useSimulator({ seed: true });
    sim.engine.pause();
    const client = clientFor(sim);
    const { invocationJobSummaries = [] } = await client.send(new ListModelInvocationJobsCommand({}));
    expect(invocationJobSummaries).toHaveLength(8);
    expect(new Set(invocationJobSummaries.map((job) => job.status))).toEqual(
      new Set(['Completed', 'PartiallyCompleted', 'Failed', 'Stopped', 'Expired', 'InProgress', 'Scheduled', 'Submitted']),
    );
    expect(invocationJobSummaries.map((job) => job.modelId)).toContain('anthropic.claude-3-haiku-20240307-v1:0');
    for (const job of invocationJobSummaries) {
      expect(job.jobName).toMatch(/^[a-z0-9-]+$/);
      if (isTerminalStatus(job.status as SimulatedJobStatus)) expect(job.endTime).toBeInstanceOf(Date);
      if (job.status === 'Failed' || job.status === 'PartiallyCompleted') expect(job.message).toBeTruthy();
    }
  });

  it('should submit a new demo job when a running one finishes', async () => {
    const sim = await useSimulator({ seed: true, stepMs: 10 });
    const size = sim.engine.size;
    const replacement = await new Promise<string>((resolve) => {
      sim.engine.onChange((job, previous) => {
        if (!previous) resolve(job.jobId);
      });
    });
    expect(sim.engine.size).toBe(size + 1);
    expect(sim.engine.get(replacement)!.status).toBe('Submitted');
  });
});
