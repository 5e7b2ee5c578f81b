// Starts a simulator and a gateway on free loopback ports, the way tests need them:
// the simulator belongs to the test (counters, faults), the gateway talks to it over real HTTP.
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } & Record<string, unknown> }>;
  extensions?: Record<string, any>;
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  simulator: Simulator;
  /** Posts an operation; `headers` add to (or replace) the JSON content-type and accept headers. */
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  /** Like graphql(), but the whole response: status and headers too. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** GET /metrics as text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** @default silent */
  logger?: Logger;
}

export async function startTestGateway(
  env: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const simulator = await startSimulator({ seed: false, ...simulatorOptions });
  const config = loadConfig({ BEDROCK_BACKEND: 'simulator', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env });
  const gateway = await createGateway(config, {
    simulator,
    logger: options.logger ?? pino({ level: 'silent' }),
    processMetrics: false,
  });
  const url = await gateway.start();
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body: JSON.stringify(body),
    });
  return {
    url,
    gateway,
    simulator,
    async graphql(query, variables, { headers } = {}) {
      const response = await post({ query, variables }, headers);
      return (await response.json()) as GraphQLResponse<any>;
    },
    post,
    async metrics() {
      return (await fetch(`${url}/metrics`)).text();
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
