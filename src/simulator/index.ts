// Public entry of the embedded Bedrock simulator: start it, point a BedrockClient (and an
// S3Client, path-style) at `url` with SIMULATOR_CREDENTIALS and SIMULATOR_REGION, and drive or
// inspect jobs through `engine` and their S3 data through `s3`.
// Besides what the rest of the repo uses, it exports the types that name the options, arguments
// and results of what it exports.
export { startSimulator, SIMULATOR_CREDENTIALS } from './server.ts';
export type { Simulator, SimulatorOptions, SimulatorStats } from './server.ts';
export { SIMULATOR_REGION } from './simulated-job.ts';
export type { SimulatedJob, SimulatedJobStatus } from './simulated-job.ts';
export { isTerminalStatus } from './lifecycle.ts';
export type { JobOutcome } from './lifecycle.ts';
export type { JobChangeListener, SimulatorEngine } from './engine.ts';
export type { CreateJobOptions } from './job-factory.ts';
export type { ListJobsPage, ListJobsQuery } from './job-store.ts';
export type { InjectedError, SimulatorFaults, SimulatorOperation } from './faults.ts';
export type { S3ObjectSummary, SimulatorS3 } from './s3/s3-controls.ts';
export type { S3Operation, S3Stats } from './s3/s3-stats.ts';
export { MIN_RECORDS_PER_JOB } from './lifecycle.ts';
export { toStateChangeEvent } from './event-bridge.ts';
export type { BatchInferenceJobStateChangeEvent, EventBridgeTarget } from './event-bridge.ts';
