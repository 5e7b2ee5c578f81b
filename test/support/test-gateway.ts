// Starts a simulator and a gateway on free loopback ports, the way tests need them:
// the simulator belongs to the test (counters, faults), the gateway talks to it over real HTTP.
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } }>;
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  simulator: Simulator;
  graphql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export async function startTestGateway(
  env: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
): Promise<TestGateway> {
  const simulator = await startSimulator({ seed: false, ...simulatorOptions });
  const config = loadConfig({ BEDROCK_BACKEND: 'simulator', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env });
  const gateway = await createGateway(config, { simulator, logger: pino({ level: 'silent' }) });
  const url = await gateway.start();
  return {
    url,
    gateway,
    simulator,
    async graphql(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    async close() {
      await gateway.close();
      await simulator.close();
    },
  };
}

/** Error codes by the path they were reported at, e.g. { 'jobs.2': 'NOT_FOUND' }. */
export function errorCodesByPath(response: GraphQLResponse): Record<string, string | undefined> {
  return Object.fromEntries((response.errors ?? []).map((error) => [error.path?.join('.') ?? '', error.extensions?.code]));
}
