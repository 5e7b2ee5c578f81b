// Answers of the response cache, given again in front of Yoga. Once the response cache
// (plugins/response-cache-plugin.ts) has answered a POST /graphql, the bytes Yoga sent for it are
// kept, keyed by everything in the request that shaped them: its body, its credentials and the
// headers Yoga reads for an answer (content type, Accept, Origin). The same request again is
// answered with those bytes straight from node:http: no Fetch Request or Response is built, no
// plugin runs, nothing is parsed. It still takes the one admission decision every request takes
// (access/admission.ts: authentication, the caller's rate), gets its own request id, and is
// counted and logged as Yoga's answers are. Anything else goes to Yoga, with the body read so far
// handed over; a replay candidate that admission refuses goes too, with the decision, so that it
// is refused the way every request is and its caller pays for it once.
//
// A kept answer lasts no longer than the response cache's entry did: until its Last-Modified
// (when the entry was stored) plus RESPONSE_CACHE_TTL_MS. Finished jobs never change, so the
// answer cannot go stale before then.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Admission, AdmissionResult } from '../access/admission.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { createOperationRecord, logOperation, requestIdFrom } from '../observability/operation-record.ts';
import type { GatewayServerContext } from './server-context.ts';

/** Node's listener, with what the replay adds to the server context of a request it hands on. */
export type YogaListener = (req: IncomingMessage, res: ServerResponse, ...serverContext: Array<Pick<GatewayServerContext, 'admitted'>>) => void;

export interface ReplayedAnswersOptions {
  /** The response cache's bounds (RESPONSE_CACHE_SIZE, RESPONSE_CACHE_TTL_MS). */
  maxEntries: number;
  ttlMs: number;
  /** Bodies longer than this are never kept (MAX_REQUEST_BODY_BYTES, or less). */
  maxBodyBytes: number;
  graphqlEndpoint: string;
  admission: Admission;
  clientAddress(req: IncomingMessage): string;
  metrics: GatewayMetrics;
  logger: Logger;
}

export interface ReplayedAnswers {
  /** Node's request listener: replays what it can, hands the rest to `yoga`. */
  listener(yoga: YogaListener): (req: IncomingMessage, res: ServerResponse) => void;
  /** The response cache answered this request with `response`: what Yoga is about to write may be kept. */
  servedFromCache(req: IncomingMessage | undefined, res: ServerResponse | undefined, response: Response): void;
}

interface Answer {
  /** Yoga's response headers, flat (`name, value, …`), without the request's own id. */
  headers: string[];
  body: Buffer;
}

/** Bodies of a few KiB are what clients send; beyond this, reading ahead of Yoga is not worth it. */
const MAX_REPLAYED_BODY_BYTES = 16 * 1024;

/** Response headers that belong to one request, not to its answer. */
const OWN_HEADERS = new Set(['x-request-id', 'connection', 'keep-alive', 'date']);

export function createReplayedAnswers(options: ReplayedAnswersOptions): ReplayedAnswers {
  const { admission, clientAddress, metrics, logger, graphqlEndpoint } = options;
  const maxBodyBytes = Math.min(options.maxBodyBytes, MAX_REPLAYED_BODY_BYTES);
  const answers = new LRUCache<string, Answer>({ max: options.maxEntries });
  // The key of each request handed to Yoga that could be replayed next time.
  const keys = new WeakMap<IncomingMessage, string>();

  const replay = (req: IncomingMessage, res: ServerResponse, answer: Answer, admitted: AdmissionResult & { admitted: true }) => {
    const record = createOperationRecord('http', requestIdFrom(header(req, 'x-request-id')));
    record.principal = admitted.principal;
    res.writeHead(200, [...answer.headers, 'x-request-id', record.requestId]);
    res.end(answer.body);
    metrics.countResponseCacheHit('replayed');
    metrics.observeHttpRequest(graphqlEndpoint, 200);
    logOperation(logger, record, { method: 'POST', status: 200 });
  };

  return {
    listener(yoga) {
      return (req, res) => {
        const length = Number(req.headers['content-length']);
        const eligible =
          req.method === 'POST' &&
          req.url === graphqlEndpoint &&
          length > 0 &&
          length <= maxBodyBytes &&
          req.headers['content-type']?.startsWith('application/json') &&
          // Conditional requests are the response cache's to answer (304).
          req.headers['if-none-match'] === undefined;
        if (!eligible) return yoga(req, res);

        readBody(req, length, (body) => {
          const key = keyOf(req, body);
          const answer = answers.get(key);
          // What was read goes to Yoga in its place: the request's own stream is spent.
          const handOn = (...serverContext: Array<Pick<GatewayServerContext, 'admitted'>>) => {
            (req as IncomingMessage & { body?: Readable }).body = Readable.from([body]);
            yoga(req, res, ...serverContext);
          };
          if (!answer) {
            keys.set(req, key);
            return handOn();
          }
          const decide = (decision: AdmissionResult) => (decision.admitted ? replay(req, res, answer, decision) : handOn({ admitted: decision }));
          admission
            .request({ apiKey: header(req, 'x-api-key'), authorization: header(req, 'authorization') }, clientAddress(req))
            .then(decide)
            .catch((error: unknown) => res.destroy(error as Error));
        });
      };
    },

    servedFromCache(req, res, response) {
      const key = req && keys.get(req);
      // Until the response cache's entry expires (it was stored at Last-Modified).
      const ttl = Date.parse(response.headers.get('last-modified') ?? '') + options.ttlMs - Date.now();
      if (!key || !res || response.status !== 200 || !(ttl > 0)) return;
      const headers: string[] = [];
      response.headers.forEach((value, name) => {
        if (!OWN_HEADERS.has(name)) headers.push(name, value);
      });
      // The body as it goes out: whatwg-node writes it whole, then ends the response.
      const chunks: Array<string | Buffer> = [];
      const write = res.write;
      res.write = function (this: ServerResponse, chunk: string | Buffer, ...rest: unknown[]) {
        chunks.push(chunk);
        return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as ServerResponse['write'];
      res.once('finish', () => {
        const body = Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
        answers.set(key, { headers, body }, { ttl });
      });
    },
  };
}

/** The request body, once it has all come (`length` bytes, per Content-Length); nothing if the request is cut short. */
function readBody(req: IncomingMessage, length: number, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  // A request cut short is answered by nobody: its socket is gone.
  req.once('error', () => undefined);
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => then(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
}

/** Everything in a request that Yoga's answer depends on; the body last, so the key is unambiguous. */
function keyOf(req: IncomingMessage, body: Buffer): string {
  const { headers } = req;
  return `${headers['content-type']}\n${headers.accept}\n${headers.origin}\n${header(req, 'x-api-key')}\n${headers.authorization}\n${body.toString('latin1')}`;
}

/** A request header's value (node joins repeated ones, set-cookie aside). */
function header(req: IncomingMessage, name: string): string | undefined {
  return req.headers[name] as string | undefined;
}
