// What the simulator's S3 served, for tests and benchmarks: requests per operation and the bytes
// GetObject actually handed to the network (a reader that hangs up early is charged only for
// what was written before it did).

export type S3Operation = 'ListObjectsV2' | 'GetObject' | 'HeadObject' | 'PutObject';

export const S3_OPERATIONS: readonly S3Operation[] = ['ListObjectsV2', 'GetObject', 'HeadObject', 'PutObject'];

export interface S3Stats {
  /** Authenticated requests per operation, those answered with an error included. */
  requests: Record<S3Operation, number>;
  /** Body bytes of GetObject responses written to the network (ranges count their length). */
  bytesServed: number;
  /** Decoded body bytes stored by PutObject. */
  bytesReceived: number;
  /** Requests refused because of `deny()`. */
  denied: number;
}

export interface S3StatsRecorder {
  request(operation: S3Operation): void;
  served(bytes: number): void;
  received(bytes: number): void;
  denied(): void;
  snapshot(): S3Stats;
  reset(): void;
}

export function createS3Stats(): S3StatsRecorder {
  const zero = (): S3Stats => ({
    requests: Object.fromEntries(S3_OPERATIONS.map((op) => [op, 0])) as Record<S3Operation, number>,
    bytesServed: 0,
    bytesReceived: 0,
    denied: 0,
  });
  let stats = zero();
  return {
    request: (operation) => void (stats.requests[operation] += 1),
    served: (bytes) => void (stats.bytesServed += bytes),
    received: (bytes) => void (stats.bytesReceived += bytes),
    denied: () => void (stats.denied += 1),
    snapshot: () => ({ ...stats, requests: { ...stats.requests } }),
    reset: () => void (stats = zero()),
  };
}
