// The results storage (src/results/storage.ts) pointed at a simulator's S3, for tests that drive
// the results modules directly rather than through the gateway.
import { pino } from 'pino';
import { createResultsStorage, type ResultsStorage } from '../../src/results/storage.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, type Simulator } from '../../src/simulator/index.ts';

export function simulatorStorage(simulator: Simulator): ResultsStorage {
  return createResultsStorage({
    target: { endpoint: simulator.url, region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS, forcePathStyle: true },
    attemptTimeoutMs: 5000,
    maxAttempts: 1,
    retryMode: 'standard',
    deadlineMs: 10_000,
    logger: pino({ level: 'silent' }),
  });
}
