// HTTP load with autocannon: a fixed number of keep-alive connections sending one GraphQL POST
// as fast as the server answers, for a fixed time. Latencies are taken from autocannon's
// per-response event (sub-millisecond), not its histogram (whole milliseconds).
import autocannon, { type Result } from 'autocannon';
import { percentile } from './stats.ts';

export interface LoadOptions {
  url: string;
  query: string;
  variables?: Record<string, unknown>;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.url}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...options.headers },
        body: JSON.stringify({ query: options.query, variables: options.variables }),
        connections: options.connections,
        duration: options.durationSeconds,
        // autocannon checks for the end of a run at every sample: every 100 ms, not every second.
        sampleInt: 100,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === 200) latencies.push(responseTime);
      else failures += 1;
    });
  });
  if (failures > 0 || result.errors > 0) {
    throw new Error(`load on ${options.url}: ${failures} non-200 answers and ${result.errors} connection errors`);
  }
  return {
    requestsPerSecond: latencies.length / result.duration,
    requests: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** One request, checked: the benchmark must measure answers, not errors. */
export async function checkAnswer(options: Pick<LoadOptions, 'url' | 'query' | 'variables' | 'headers'>): Promise<unknown> {
  const response = await fetch(`${options.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...options.headers },
    body: JSON.stringify({ query: options.query, variables: options.variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (response.status !== 200 || body.errors) throw new Error(`${options.url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.data;
}
