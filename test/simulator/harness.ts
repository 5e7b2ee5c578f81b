// Shared test plumbing: start simulators that are always closed, real SDK clients for them, and
// promises for engine events (no sleeps).
import { createHash, createHmac } from 'node:crypto';
import { BedrockClient, type BedrockClientConfig } from '@aws-sdk/client-bedrock';
import type { Hash, SourceData } from '@smithy/types';
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

/** A sha256 Hash for @smithy/signature-v4, built on node:crypto. */
export class Sha256 implements Hash {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
