// SSE subscriptions end with their bearer token (issue 14, item 3), as WebSockets do: at `exp`
// the stream sends one last `next` event carrying an UNAUTHENTICATED error, then `complete`, and
// lets go of what it watched and of its stream slot.
import { describe, expect, it } from 'vitest';
import { openSse, type SseStream } from './support/abuse-clients.ts';
import { signHs256 } from './support/identity-provider.ts';
import { useLeftovers } from './support/leftovers.ts';
import { withLifetime } from '../src/access/stream-lifetime.ts';

const leftovers = useLeftovers();
const SECRET = 'sse-expiry-test-hs256-secret-of-32-chars-or-more';
const UPDATED = `subscription($id: String!) { modelInvocationJobUpdated(jobIdentifier: $id) { jobId status } }`;
/** Far beyond a token that expires 1 to 2 s after it is issued. */
const BOUND_MS = 15_000;

const expOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;

/** Resolves when the stream has ended, or rejects once `BOUND_MS` have passed. */
function ended(stream: SseStream): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the stream was still open ${BOUND_MS} ms later`)), BOUND_MS);
  });
  return Promise.race([stream.done, bound]).finally(() => clearTimeout(timer));
}

describe('SSE and bearer token expiry', () => {
  it("should end an SSE subscription at its token's exp with a last UNAUTHENTICATED event, then complete", async () => {
    // One stream per credential: the slot the expired stream held must come back.
    const t = await leftovers.gateway({ AUTH_REQUIRED: 'true', JWT_SECRET: SECRET, MAX_STREAMS_PER_CREDENTIAL: '1', POLL_INTERVAL_MS: '50' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    // Expires 1 to 2 s from now (JWT times are whole seconds).
    const token = await signHs256(SECRET, 'jobs:read', { expiresIn: 2 });
    const stream = openSse(t.url, UPDATED, { id: job.jobId }, { headers: { authorization: `Bearer ${token}` } });
    leftovers.push(() => stream.abort());
    expect((await stream.answered).status).toBe(200);
    expect((await stream.next()).data).toEqual({ modelInvocationJobUpdated: { jobId: job.jobId, status: 'IN_PROGRESS' } });

    await ended(stream);
    expect(Date.now()).toBeGreaterThanOrEqual(expOf(token) * 1000);
    expect(stream.completed).toBe(true);
    expect(stream.events).toHaveLength(2);
    expect(stream.events[1]).toEqual({
      errors: [expect.objectContaining({ message: expect.stringContaining('expired'), extensions: { code: 'UNAUTHENTICATED' } })],
    });
    await expect.poll(() => t.gateway.feed.size).toBe(0);

    // The same subject with a fresh token gets the slot back.
    const fresh = openSse(t.url, UPDATED, { id: job.jobId }, { headers: { authorization: `Bearer ${await signHs256(SECRET, 'jobs:read')}` } });
    leftovers.push(() => fresh.abort());
    expect((await fresh.answered).status).toBe(200);
    expect((await fresh.next()).data).toEqual({ modelInvocationJobUpdated: { jobId: job.jobId, status: 'IN_PROGRESS' } });
  });
});

/** A source that yields only what the test pushes, and records its return(). */
function manualSource() {
  const waiting: Array<(result: IteratorResult<string>) => void> = [];
  const source = {
    returned: 0,
    push: (value: string) => waiting.shift()?.({ value, done: false }),
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => new Promise<IteratorResult<string>>((resolve) => waiting.push(resolve)),
    async return() {
      source.returned += 1;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      return { value: undefined, done: true as const };
    },
  };
  return source;
}

describe('withLifetime (what an HTTP subscription stream is wrapped in)', () => {
  const lifetime = (expiresAt: number | undefined) => {
    const source = manualSource();
    let ends = 0;
    const stream = withLifetime(source, { expiresAt, expired: () => 'expired', onEnd: () => (ends += 1) });
    return { source, stream, ends: () => ends };
  };

  it('should answer a pending next() with the last result at expiry, then be done, returning the source and ending once', async () => {
    const { source, stream, ends } = lifetime(Date.now() + 20);
    const first = stream.next();
    source.push('a');
    expect(await first).toEqual({ value: 'a', done: false });
    expect(await stream.next()).toEqual({ value: 'expired', done: false });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(source.returned).toBe(1);
    expect(ends()).toBe(1);
    await stream.return!();
    expect([source.returned, ends()]).toEqual([1, 1]);
  });

  it('should keep the last result for the next call when it expires while no one asks', async () => {
    const { source, stream, ends } = lifetime(Date.now());
    await expect.poll(() => ends()).toBe(1);
    expect(source.returned).toBe(1);
    expect(await stream.next()).toEqual({ value: 'expired', done: false });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('should end at once on return() while waiting for an event', async () => {
    const { source, stream, ends } = lifetime(Date.now() + 60_000);
    const pending = stream.next();
    await stream.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect([source.returned, ends()]).toEqual([1, 1]);
  });

  it('should end when the source completes, without expiring', async () => {
    const { source, stream, ends } = lifetime(undefined);
    const pending = stream.next();
    await source.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(ends()).toBe(1);
  });
});
