// Subscription events written straight to the WebSocket. graphql-ws delivers each event of each
// operation through its own chain of promises (the envelop's per-event hooks, graphql-ws's
// emit, a JSON.stringify of the whole message, ws's send); with 10,000 subscribers to one job
// that is 10,000 chains per status change, and most of the time they take is the garbage they
// leave. Here the operation's stream is piped instead (subscriptions/event-stream.ts): each event is a
// plain call, its result is masked and serialised once for every subscriber that shares it
// (subscriptions/shared-execution-plugin.ts), and each subscriber costs one frame copied
// into its connection's batch; a connection's batch leaves in one write at the end of the turn.
//
// graphql-ws still owns the operation: it gets an iterator that yields nothing and finishes when
// the stream does (it then sends `complete`, or `error` if the stream failed), and whose
// `return()` (client `complete`, socket closed) ends the stream through the iterator it was handed
// (the transport hands the results themselves: see websocket/transport.ts). Every frame of an
// operation goes out before its `complete`: the connection's batch is written when the stream
// ends, before the iterator finishes.
import type { Socket } from 'node:net';
import type { ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import { done, type Pipeable, type Sink } from '../subscriptions/event-stream.ts';

/** One operation's end: where its events go. */
export interface DeliveryTarget<Operation> {
  socket: WebSocket;
  /** The TCP socket under `socket`, where frames are written. */
  connection: Socket;
  /** The graphql-ws operation id. */
  id: string;
  /** Whatever the hooks need to know about the operation (its log record). */
  operation: Operation;
}

/** Shared by every operation of a transport: made once, not per subscription. */
export interface DeliveryHooks<Operation> {
  /**
   * A result with errors as it goes on the wire: masked as the envelop would have masked them.
   * Called once per result, whatever the number of subscribers it reaches.
   */
  toPayload(result: ExecutionResult): unknown;
  /** Called for each result with errors, once per subscriber (metrics, the operation's log line). */
  onErrors(errors: NonNullable<ExecutionResult['errors']>, operation: Operation): void;
}

/**
 * Pipes `results` to the socket; returns the iterator graphql-ws is to hold instead of
 * `iterator`, which is never iterated, only returned, to end everything behind it.
 */
export function deliverDirectly<Operation>(
  results: Pipeable<ExecutionResult>,
  iterator: AsyncIterator<unknown>,
  target: DeliveryTarget<Operation>,
  hooks: DeliveryHooks<Operation>,
): AsyncIterableIterator<never> {
  const delivery = new DirectDelivery(iterator, target, hooks);
  results.pipe(delivery);
  return new HeldOperation(delivery);
}

// A result's payload as JSON, shared by every subscriber it is handed to.
const payloads = new WeakMap<ExecutionResult, Buffer>();

// Classes, not closures: one of each per subscription, 10,000 of them for a busy job.
class DirectDelivery<Operation> implements Sink<ExecutionResult> {
  /** `{"id":"…","type":"next","payload":` */
  private readonly head: Buffer;
  /** Once the stream ended: how. */
  private outcome: { error: unknown } | { error?: undefined } | undefined;
  // The settling functions of `whenEnded` themselves, not a closure over them: one less per subscription.
  private resolveEnded: ((result: IteratorResult<never>) => void) | undefined;
  private rejectEnded: ((error: unknown) => void) | undefined;
  private whenEnded: Promise<IteratorResult<never>> | undefined;
  private awaitingBatch = false;

  constructor(
    readonly iterator: AsyncIterator<unknown>,
    private readonly target: DeliveryTarget<Operation>,
    private readonly hooks: DeliveryHooks<Operation>,
  ) {
    this.head = Buffer.from(`{"id":${JSON.stringify(target.id)},"type":"next","payload":`);
  }

  next(result: ExecutionResult): void {
    if (this.outcome) return;
    // Called in a loop over every subscriber of a job: whatever goes wrong here ends this
    // operation (graphql-ws sends it an error), never the loop.
    try {
      if (result.errors) this.hooks.onErrors(result.errors, this.target.operation);
      const { socket, connection } = this.target;
      if (socket.readyState !== socket.OPEN) return;
      batchFor(connection, socket).add(this.head, this.payloadOf(result));
    } catch (error) {
      this.fail(error);
    }
  }

  end(): void {
    this.finish({});
  }

  fail(error: unknown): void {
    this.finish({ error });
  }

  /** Resolves once the stream ended; rejects if it failed. */
  ended(): Promise<IteratorResult<never>> {
    this.whenEnded ??= new Promise((resolve, reject) => {
      this.resolveEnded = resolve;
      this.rejectEnded = reject;
      if (this.outcome && !this.awaitingBatch) this.settle(this.outcome);
    });
    return this.whenEnded;
  }

  finish(outcome: { error?: unknown }): void {
    if (this.outcome) return;
    this.outcome = outcome;
    // graphql-ws sends `complete` (or `error`) once this settles: frames still in the
    // connection's batch go first.
    const batch = batches.get(this.target.connection);
    if (batch) {
      this.awaitingBatch = true;
      batch.afterWrite(this);
    } else {
      this.settle(outcome);
    }
  }

  /** Its connection's batch was written. */
  batchWritten(): void {
    this.awaitingBatch = false;
    if (this.outcome) this.settle(this.outcome);
  }

  /** Settles `ended()`, if anyone asked yet. */
  private settle({ error }: { error?: unknown }): void {
    if (error === undefined) this.resolveEnded?.(done<never>());
    else this.rejectEnded?.(error);
  }

  private payloadOf(result: ExecutionResult): Buffer {
    let payload = payloads.get(result);
    if (payload === undefined) {
      payload = Buffer.from(JSON.stringify(result.errors ? this.hooks.toPayload(result) : result));
      payloads.set(result, payload);
    }
    return payload;
  }
}

/** What graphql-ws holds: yields nothing, done when the stream is. */
class HeldOperation implements AsyncIterableIterator<never> {
  constructor(private readonly delivery: DirectDelivery<unknown>) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<never> {
    return this;
  }

  next(): Promise<IteratorResult<never>> {
    return this.delivery.ended();
  }

  /** The client completed the operation, or left: end the stream behind the envelop's iterator. */
  async return(): Promise<IteratorResult<never>> {
    this.delivery.finish({});
    await this.delivery.iterator.return?.();
    return done<never>();
  }

  async throw(error: unknown): Promise<IteratorResult<never>> {
    await this.return();
    throw error;
  }
}

// Frames written this turn of the event loop, by TCP socket: an event reaching the 100
// operations of a connection leaves in one write, built in one buffer, instead of 100.
const batches = new Map<Socket, FrameBatch>();

function batchFor(connection: Socket, socket: WebSocket): FrameBatch {
  let batch = batches.get(connection);
  if (!batch) {
    if (batches.size === 0) setImmediate(writeBatches);
    batches.set(connection, (batch = new FrameBatch(connection, socket)));
  }
  return batch;
}

function writeBatches(): void {
  const written = [...batches.values()];
  batches.clear();
  for (const batch of written) batch.write();
}

/**
 * Unfragmented, unmasked text frames (RFC 6455 §5.2, server to client), each holding
 * `head + payload + "}"`, built back to back in one buffer. The server negotiates no extension
 * (no compression: see `perMessageDeflate` in transport.ts), so ws too writes each of its frames
 * synchronously and whole: graphql-ws's own messages never land inside a batch.
 */
class FrameBatch {
  // The frames' parts, kept until the batch is written: its buffer is then allocated once, at
  // its final size. Growing it as frames come copies it over and over, and each new buffer is
  // fresh memory the kernel must map page by page, which cost more than building the frames.
  private readonly heads: Buffer[] = [];
  private readonly payloads: Buffer[] = [];
  private bytes = 0;
  // Operations that ended with frames in this batch: settled once it is written.
  private ended: Array<DirectDelivery<unknown>> | undefined;

  constructor(
    private readonly connection: Socket,
    private readonly socket: WebSocket,
  ) {}

  add(head: Buffer, payload: Buffer): void {
    this.heads.push(head);
    this.payloads.push(payload);
    const length = head.length + payload.length + 1;
    this.bytes += headerLength(length) + length;
  }

  afterWrite(delivery: DirectDelivery<unknown>): void {
    (this.ended ??= []).push(delivery);
  }

  write(): void {
    // Nothing after a close frame: the socket may have begun closing since the frames were added.
    if (this.bytes > 0 && this.socket.readyState === this.socket.OPEN) this.connection.write(this.frames());
    if (!this.ended) return;
    // The `complete` messages graphql-ws is about to send for these leave together too.
    corkUntilNextTick(this.connection);
    for (const delivery of this.ended) delivery.batchWritten();
  }

  private frames(): Buffer {
    const frames = Buffer.allocUnsafe(this.bytes);
    let at = 0;
    for (let i = 0; i < this.heads.length; i++) {
      const head = this.heads[i]!;
      const payload = this.payloads[i]!;
      const length = head.length + payload.length + 1;
      frames[at] = 0x81; // FIN, text
      if (length < 126) {
        frames[at + 1] = length;
        at += 2;
      } else if (length < 65_536) {
        frames[at + 1] = 126;
        frames.writeUInt16BE(length, at + 2);
        at += 4;
      } else {
        frames[at + 1] = 127;
        frames.writeBigUInt64BE(BigInt(length), at + 2);
        at += 10;
      }
      // TypedArray#set: no call into C++ per copy, unlike Buffer#copy and Buffer#write.
      frames.set(head, at);
      at += head.length;
      frames.set(payload, at);
      at += payload.length;
      frames[at++] = 0x7d; // }
    }
    return frames;
  }
}

/** Bytes of a server frame's header for a payload of this length (RFC 6455 §5.2). */
const headerLength = (length: number) => (length < 126 ? 2 : length < 65_536 ? 4 : 10);

const corked = new WeakSet<Socket>();

/**
 * Holds the socket's writes until the current turn of the event loop is over: an event reaching
 * many operations of one connection then leaves in one syscall instead of one each. Everything
 * written meanwhile, graphql-ws's own messages included, keeps its order.
 */
export function corkUntilNextTick(socket: Socket): void {
  if (corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  setImmediate(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
