// Upstream health: Bedrock's state from the outcomes of real calls and the circuit breaker, and
// the one recovery signal after an outage (not after every answer).
import { describe, expect, it } from 'vitest';
import type { CircuitState } from '../src/bedrock/circuit-breaker.ts';
import { createUpstreamHealth } from '../src/bedrock/upstream-health.ts';

const setup = (outageThreshold = 3) => {
  let circuit: CircuitState = 'closed';
  let now = 1000;
  const health = createUpstreamHealth({ circuitState: () => circuit, outageThreshold, now: () => now });
  let recoveries = 0;
  health.onRecovered(() => (recoveries += 1));
  return {
    health,
    setCircuit: (state: CircuitState) => (circuit = state),
    advance: (ms: number) => (now += ms),
    recoveries: () => recoveries,
  };
};

describe('upstream state', () => {
  it('should follow the last call that reached Bedrock, and the circuit above it', () => {
    const { health, setCircuit, advance } = setup();
    expect(health).toMatchObject({ state: 'ok', lastCallAt: 0 });
    health.record('throttled');
    expect(health).toMatchObject({ state: 'throttled', lastCallAt: 1000 });
    advance(5);
    health.record('timeout');
    expect(health).toMatchObject({ state: 'unavailable', lastCallAt: 1005 });
    advance(5);
    health.record('rejected'); // a "not found" is an answer
    expect(health).toMatchObject({ state: 'ok', lastCallAt: 1010 });
    setCircuit('half-open');
    expect(health.state).toBe('circuit-open');
  });

  it('should take calls that never went out as no news', () => {
    const { health, advance } = setup();
    health.record('error');
    advance(5);
    health.record('over_budget');
    health.record('circuit_open');
    expect(health).toMatchObject({ state: 'unavailable', lastCallAt: 1000 });
  });
});

describe('recovery signal', () => {
  it('should signal once when Bedrock answers after as many failures in a row as make an outage', () => {
    const { health, recoveries } = setup(3);
    health.record('throttled');
    health.record('error');
    health.record('circuit_open');
    health.record('success');
    health.record('success');
    expect(recoveries()).toBe(1);
  });

  it('should not signal when failures come between answers, as a job failing on its own does', () => {
    const { health, recoveries } = setup(3);
    for (let i = 0; i < 5; i++) {
      health.record('error');
      health.record('error');
      health.record('success');
      health.record('over_budget'); // neither a failure nor an answer
    }
    expect(recoveries()).toBe(0);
  });

  it('should wait for the circuit to close: a late answer to a call sent before it opened ends nothing', () => {
    const { health, setCircuit, recoveries } = setup(5);
    health.record('error');
    setCircuit('open');
    health.record('error'); // fewer than 5, but the circuit is open: an outage
    health.record('success'); // admitted before the circuit opened
    expect(recoveries()).toBe(0);
    setCircuit('closed'); // the probe succeeded
    health.record('success');
    expect(recoveries()).toBe(1);
  });
});
