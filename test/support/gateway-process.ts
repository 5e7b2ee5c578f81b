// A gateway as its own process (`src/main.ts`), pointed at a simulator the test owns through the
// real AWS backend settings, the way instances behind a load balancer would reach Bedrock.
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, type Simulator } from '../../src/simulator/index.ts';
import { startProcess, type ChildProcessHandle } from './process.ts';
import type { GraphQLResponse } from './test-gateway.ts';

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcessHandle;
  graphql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** GET /readyz: status and JSON report. */
  readyz(): Promise<{ status: number; body: { ready: boolean; degraded?: boolean; checks: Record<string, { ok: boolean }> } }>;
}

/** The variables that point a gateway in aws mode at this simulator, with auth off. */
export function awsBackendAt(simulator: Simulator): Record<string, string> {
  return {
    BEDROCK_BACKEND: 'aws',
    AWS_ENDPOINT_URL_BEDROCK: simulator.url,
    AWS_ACCESS_KEY_ID: SIMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SIMULATOR_CREDENTIALS.secretAccessKey,
    AWS_REGION: SIMULATOR_REGION,
    AUTH_REQUIRED: 'false',
  };
}

export async function startGatewayProcess(simulator: Simulator, env: Record<string, string>): Promise<GatewayProcess> {
  const child = startProcess('src/main.ts', {
    ...awsBackendAt(simulator),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const ready = await child.waitForLog(/^GraphQL ready at /);
  const url = /at (http:\/\/\S+)\/graphql/.exec(String(ready.msg))![1]!;
  return {
    url,
    child,
    async graphql(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    async readyz() {
      const response = await fetch(`${url}/readyz`);
      return { status: response.status, body: (await response.json()) as any };
    },
  };
}
