// Shared test plumbing: start simulators that are always closed, real SDK clients (Bedrock and
// S3) for them, and promises for engine events (no sleeps).
import { BedrockClient, type BedrockClientConfig } from '@aws-sdk/client-bedrock';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { afterAll } from 'vitest';
import {
  SIMULATOR_CREDENTIALS,
  SIMULATOR_REGION,
  startSimulator,
  type SimulatedJob,
  type Simulator,
  type SimulatorEngine,
  type SimulatorOptions,
} from '../../src/simulator/index.ts';

/** Starts a simulator (no demo jobs unless asked) that is closed after the file's tests. */
export async function useSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ seed: false, ...options });
  afterAll(() => sim.close());
  return sim;
}

/** The real SDK client, one attempt unless overridden, pointed at `sim`. */
export function clientFor(sim: Simulator, config: Partial<BedrockClientConfig> = {}): BedrockClient {
  const client = new BedrockClient({
    endpoint: sim.url,
    region: SIMULATOR_REGION,
    credentials: SIMULATOR_CREDENTIALS,
    maxAttempts: 1,
    ...config,
  });
  afterAll(() => client.destroy());
  return client;
}

/** The real S3 client, path-style against `sim` as the gateway makes it, one attempt unless overridden. */
export function s3ClientFor(sim: Simulator, config: Partial<S3ClientConfig> = {}): S3Client {
  const client = new S3Client({
    endpoint: sim.url,
    forcePathStyle: true,
    region: SIMULATOR_REGION,
    credentials: SIMULATOR_CREDENTIALS,
    maxAttempts: 1,
    ...config,
  });
  afterAll(() => client.destroy());
  return client;
}

/** Resolves with the job once `predicate` holds for it (checked now and after every change). */
export function waitForJob(
  engine: SimulatorEngine,
  jobIdentifier: string,
  predicate: (job: SimulatedJob) => boolean,
): Promise<SimulatedJob> {
  const current = engine.get(jobIdentifier);
  if (current && predicate(current)) return Promise.resolve(current);
  return new Promise((resolve) => {
    const stop = engine.onChange((job) => {
      if ((job.jobArn === jobIdentifier || job.jobId === jobIdentifier) && predicate(job)) {
        stop();
        resolve(job);
      }
    });
  });
}

/** Rejects (or resolves) an awaited SDK call into its error, failing when it succeeds. */
export async function errorOf(call: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

// A sha256 Hash for @smithy/signature-v4, built on node:crypto: the simulator's own.
export { Sha256 } from '../../src/simulator/sigv4.ts';
