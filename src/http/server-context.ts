// What the transports hand to Yoga for each request (HTTP) or operation (graphql-ws), before
// the GraphQL context is built from it.
import type { IncomingMessage } from 'node:http';
import type { AdmissionResult } from '../access/admission.ts';
import type { Principal } from '../access/scopes.ts';
import type { OperationRecord } from '../observability/operation-record.ts';

export interface GatewayServerContext {
  /** The HTTP request (or the WebSocket's upgrade request). */
  req?: IncomingMessage;
  /** Set per HTTP request by the HTTP observability plugin, per operation by the WebSocket transport. */
  operation?: OperationRecord;
  /** The path of an HTTP request, set by the HTTP observability plugin. */
  path?: string;
  /** Set by the access plugin (HTTP) or at connection_init (WebSocket). */
  principal?: Principal;
  /** The request's admission, when it was decided before Yoga (replayed-answers.ts). */
  admitted?: AdmissionResult;
}
