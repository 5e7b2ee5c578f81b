// Operation starts spread over turns of the event loop. A burst of clients' subscribe messages
// waits on the sockets all at once, and would otherwise all be started in the one turn that reads
// them, with nothing else run in between: not even the upstream call the first of them made for
// the job they all watch, which every start then waits for, holding what it is made of (Yoga's
// context, the envelop's hooks, graphql-js's execution of the subscribe field, Pothos's scope
// checks). Kept that long, all of it outlives two minor GCs and is moved to the old generation,
// whose pages it leaves half empty when it dies: 10,000 subscribers at once cost 4 KiB of RSS
// each more. A few hundred starts a turn let that call, and everyone else's traffic, through
// between them: later starts find the job known already.

// Each start takes 0.1 to 0.2 ms of CPU: a turn of them stays within some 40 ms.
const STARTS_PER_TURN = 200;

export interface StartTurns {
  /** Undefined when a start may go on at once; else resolves at its turn, in arrival order. */
  wait(): Promise<void> | undefined;
}

export function createStartTurns(perTurn = STARTS_PER_TURN): StartTurns {
  return new Turns(perTurn);
}

class Turns implements StartTurns {
  private readonly waiting: Array<() => void> = [];
  // Starts so far in the current turn; counted again from nothing at the next.
  private started = 0;
  private turnScheduled = false;

  constructor(private readonly perTurn: number) {}

  wait(): Promise<void> | undefined {
    this.nextTurn();
    if (this.waiting.length === 0 && this.started < this.perTurn) {
      this.started += 1;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private nextTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      const admitted = this.waiting.splice(0, this.perTurn);
      this.started = admitted.length;
      for (const start of admitted) start();
      // Again next turn, if only to count from nothing.
      if (this.started > 0) this.nextTurn();
    });
  }
}
