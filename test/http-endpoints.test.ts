// The plain HTTP surface: health, GraphiQL, and masking of what is not a deliberate error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({}, { seed: true });
});
afterAll(() => t.close());

describe('http endpoints', () => {
  it('should answer /healthz with 200', async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
  });

  it('should answer /readyz with 200, the phase and the upstream state once serving', async () => {
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, phase: 'serving', upstream: 'ok', checks: { upstream: { ok: true } } });
  });

  it('should serve GraphiQL from the installed package with a runnable example query', async () => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Bedrock jobs gateway');
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr/);
    const [seeded] = t.simulator.engine.list({ maxResults: 1 }).jobs;
    expect(html).toContain(seeded!.jobId);
  });

  it('should answer a syntax error with a GraphQL error, not a 500', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ modelInvocationJob(' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]!.message).toMatch(/Syntax Error/);
  });

  it('should answer malformed JSON with 400', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
  });
});
