// What a test started and must stop: disposed after each test, newest first, even when the test
// failed before its own cleanup.
import { afterEach } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.ts';

export interface Leftovers {
  push(dispose: () => unknown): void;
  /** startTestGateway, closed after the test. */
  gateway(...args: Parameters<typeof startTestGateway>): Promise<TestGateway>;
}

export function useLeftovers(): Leftovers {
  const disposals: Array<() => unknown> = [];
  afterEach(async () => {
    for (const dispose of disposals.splice(0).reverse()) await dispose();
  });
  return {
    push: (dispose) => void disposals.push(dispose),
    async gateway(...args) {
      const t = await startTestGateway(...args);
      disposals.push(() => t.close());
      return t;
    },
  };
}
