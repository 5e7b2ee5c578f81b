// A simulated job that expires on the compressed clock, seconds after it was submitted, keeps
// Bedrock's message and says that its timeout did not really run out; a job whose own
// jobExpirationTime passed, or that was created expired, has Bedrock's message alone.
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type SimulatorEngine } from '../src/simulator/engine.ts';
import { isTerminalStatus, startSimulator } from '../src/simulator/index.ts';
import { waitForJob } from './simulator/harness.ts';

const engines: SimulatorEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.dispose();
});
const engineWith = (options: Parameters<typeof createEngine>[0]) => {
  const engine = createEngine(options);
  engines.push(engine);
  return engine;
};

describe('expired jobs', () => {
  it('should say a job expired on the compressed clock is simulated, in Bedrock\'s words first', () => {
    const engine = engineWith({ autoStart: false });
    const job = engine.createJob({}, { outcome: 'Expired' });
    let current = job;
    while (!isTerminalStatus(current.status)) current = engine.advance(job.jobId);
    expect(current.status).toBe('Expired');
    expect(current.message).toBe(
      "The job did not complete within its timeout of 168 hours. (Simulated: the simulator's compressed clock ends it as Expired a few steps after submission, not after 168 hours.)",
    );
  });

  it('should give a job whose jobExpirationTime has passed Bedrock\'s message alone', async () => {
    const engine = engineWith({ stepMs: 5, autoStart: true });
    const submitTime = new Date(Date.now() - 25 * 3_600_000);
    const job = engine.createJob({ submitTime, timeoutDurationInHours: 24 }, { outcome: 'Completed' });
    const expired = await waitForJob(engine, job.jobId, (j) => j.status === 'Expired');
    expect(expired.message).toBe('The job did not complete within its timeout of 24 hours.');
  });

  it('should keep Bedrock\'s message on the demo job that expired after its 72 hours', async () => {
    const simulator = await startSimulator({});
    try {
      const demo = simulator.engine.list({ statusEquals: 'Expired' }).jobs.find((job) => job.jobName === 'call-transcript-summaries-weekly');
      expect(demo?.message).toBe('The job did not complete within its timeout of 72 hours.');
    } finally {
      await simulator.close();
    }
  });
});
