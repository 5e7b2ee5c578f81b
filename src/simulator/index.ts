// Public entry of the embedded Bedrock simulator: start it, point a BedrockClient at `url` with
// SIMULATOR_CREDENTIALS and SIMULATOR_REGION, and drive or inspect jobs through `engine`.
export { startSimulator, SIMULATOR_CREDENTIALS } from './server.ts';
export type { Simulator, SimulatorOptions, SimulatorStats } from './server.ts';
export { SIMULATOR_OPERATIONS } from './faults.ts';
export { BATCH_JOB_STATE_CHANGE, EVENT_BRIDGE_SECRET_HEADER, toStateChangeEvent } from './event-bridge.ts';
export type {
  BatchInferenceJobStateChangeDetail,
  BatchInferenceJobStateChangeEvent,
  EventBridgeTarget,
} from './event-bridge.ts';
export type { InjectedError, SimulatorFaults, SimulatorOperation } from './faults.ts';
export { JOB_STATUSES, SIMULATOR_ACCOUNT_ID, SIMULATOR_REGION, createEngine, isTerminalStatus } from './engine.ts';
export type {
  CreateJobOptions,
  EngineOptions,
  InputDataConfig,
  JobChangeListener,
  JobOutcome,
  JobTag,
  ListJobsPage,
  ListJobsQuery,
  ModelInvocationType,
  OutputDataConfig,
  SimulatedJob,
  SimulatedJobStatus,
  SimulatorEngine,
  SortOrder,
  VpcConfig,
} from './engine.ts';
