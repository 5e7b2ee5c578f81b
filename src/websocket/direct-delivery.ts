// Subscription events written straight to the WebSocket. graphql-ws delivers each event of each
// operation through its own chain of promises (the envelop's per-event hooks, graphql-ws's
// emit, a JSON.stringify of the whole message, ws's send); with 10,000 subscribers to one job
// that is 10,000 chains per status change, and most of the time they take is the garbage they
// leave. Here the operation's stream is piped instead (watch/event-stream.ts): each event is a
// plain call, its result is masked and serialised once for every subscriber that shares it
// (plugins/shared-subscription-execution-plugin.ts), and each subscriber costs one string and
// one write on a corked socket.
//
// graphql-ws still owns the operation: it gets an iterator that yields nothing and finishes when
// the stream does (it then sends `complete`, or `error` if the stream failed), and whose
// `return()` (client `complete`, socket closed) ends the stream through the envelop's iterator,
// so the hooks waiting for the end still run. Every frame of an operation goes out before its
// `complete`: they are written synchronously, before the iterator finishes.
import type { Socket } from 'node:net';
import type { ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { Pipeable, Sink } from '../watch/event-stream.ts';

export interface DirectDeliveryOptions {
  socket: WebSocket;
  /** The TCP socket under `socket`, corked while a fan-out writes to it. */
  connection: Socket;
  /** The graphql-ws operation id. */
  id: string;
  /**
   * A result with errors as it goes on the wire: masked as the envelop would have masked them.
   * Called once per result, whatever the number of subscribers it reaches.
   */
  toPayload(result: ExecutionResult): unknown;
  /** Called for each result with errors, once per subscriber (metrics, the operation's log line). */
  onErrors(errors: NonNullable<ExecutionResult['errors']>): void;
}

/**
 * Pipes `results` to the socket. `iterator` is what the envelop returned for the same operation:
 * it is never iterated, only returned, to end everything behind it.
 */
export function deliverDirectly(
  results: Pipeable<ExecutionResult>,
  iterator: AsyncIterator<unknown>,
  options: DirectDeliveryOptions,
): AsyncIterableIterator<never> {
  const delivery = new DirectDelivery(iterator, options);
  results.pipe(delivery);
  return delivery.operation;
}

const finished = (): IteratorResult<never> => ({ value: undefined, done: true });

// A result's payload as JSON, shared by every subscriber it is handed to.
const payloads = new WeakMap<ExecutionResult, Buffer>();

class DirectDelivery implements Sink<ExecutionResult> {
  /** What graphql-ws holds: yields nothing, done when the stream is. */
  readonly operation: AsyncIterableIterator<never>;
  /** `{"id":"…","type":"next","payload":` */
  private readonly head: Buffer;
  private readonly ended: Promise<IteratorResult<never>>;
  private settle!: (outcome: { error: unknown } | undefined) => void;
  private done = false;

  constructor(
    private readonly iterator: AsyncIterator<unknown>,
    private readonly options: DirectDeliveryOptions,
  ) {
    this.head = Buffer.from(`{"id":${JSON.stringify(options.id)},"type":"next","payload":`);
    this.ended = new Promise((resolve, reject) => {
      this.settle = (outcome) => (outcome ? reject(outcome.error) : resolve(finished()));
    });
    // graphql-ws awaits it, unless the client completed the operation before it started.
    this.ended.catch(() => undefined);
    const delivery = this;
    this.operation = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next() {
        return delivery.ended;
      },
      return() {
        return delivery.stop();
      },
      async throw(error: unknown) {
        await delivery.stop();
        throw error;
      },
    };
  }

  // The sink: called synchronously by the stream.
  next(result: ExecutionResult): void {
    if (this.done) return;
    if (result.errors) this.options.onErrors(result.errors);
    const { socket, connection } = this.options;
    if (socket.readyState !== socket.OPEN) return;
    corkUntilNextTick(connection);
    connection.write(textFrame(this.head, this.payloadOf(result)));
  }

  end(): void {
    this.finish(undefined);
  }

  fail(error: unknown): void {
    this.finish({ error });
  }

  /** The client completed the operation, or left: end the stream behind the envelop's iterator. */
  private async stop(): Promise<IteratorResult<never>> {
    this.finish(undefined);
    await this.iterator.return?.();
    return finished();
  }

  private finish(outcome: { error: unknown } | undefined): void {
    if (this.done) return;
    this.done = true;
    this.settle(outcome);
  }

  private payloadOf(result: ExecutionResult): Buffer {
    let payload = payloads.get(result);
    if (payload === undefined) {
      payload = Buffer.from(JSON.stringify(result.errors ? this.options.toPayload(result) : result));
      payloads.set(result, payload);
    }
    return payload;
  }
}

/**
 * One unfragmented, unmasked text frame (RFC 6455 §5.2, server to client) holding
 * `head + payload + "}"`, in one buffer: one write on the socket. The server negotiates no
 * extension (no compression: see `perMessageDeflate` in gateway.ts), so ws too writes each of
 * its frames synchronously and whole: frames written here and by ws (graphql-ws's own messages)
 * go out in the order they were written.
 */
function textFrame(head: Buffer, payload: Buffer): Buffer {
  const length = head.length + payload.length + 1;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN, text
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  head.copy(frame, headerLength);
  payload.copy(frame, headerLength + head.length);
  frame[frame.length - 1] = 0x7d; // }
  return frame;
}

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
