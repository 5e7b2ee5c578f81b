// How many long-lived streams each caller holds open: graphql-ws connections (one each, however
// many operations they carry) and HTTP subscription streams (SSE or multipart, one each), counted
// together under one key per caller, so that no caller can hold the process's sockets and memory.

export interface StreamQuota {
  /**
   * Takes one of `key`'s slots: the function that gives it back (calling it again does nothing),
   * or undefined when `key` already holds the most.
   */
  open(key: string): (() => void) | undefined;
  /** Streams `key` holds open. */
  count(key: string): number;
}

/** A quota of `max` open streams per key; `0` or less: no limit (nothing is counted). */
export function createStreamQuota(max: number): StreamQuota {
  // Only keys holding a stream are kept, so the map is bounded by the open streams.
  const open = new Map<string, number>();
  const unlimited = () => undefined;

  return {
    open(key) {
      if (max <= 0) return unlimited;
      const held = open.get(key) ?? 0;
      if (held >= max) return undefined;
      open.set(key, held + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },
    count: (key) => open.get(key) ?? 0,
  };
}
