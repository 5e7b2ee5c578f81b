// HTTP admission: every GraphQL request is admitted (access/admission.ts) before its body is read;
// a refusal is answered 401 UNAUTHENTICATED or 429 LIMIT_EXCEEDED. graphql-ws sockets are
// admitted by the same decision in websocket/transport.ts.
import type { Plugin } from 'graphql-yoga';
import type { Admission } from '../access/admission.ts';
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import type { GatewayServerContext } from '../http/server-context.ts';

export interface AccessPluginOptions {
  admission: Admission;
  /** The client's address (for unauthenticated rate limiting). */
  clientAddress(serverContext: GatewayServerContext): string;
}

export function createAccessPlugin({ admission, clientAddress }: AccessPluginOptions): Plugin<{}, GatewayServerContext> {
  return {
    async onRequestParse({ request, serverContext }) {
      const result = await admission.request(
        { apiKey: request.headers.get('x-api-key'), authorization: request.headers.get('authorization') },
        clientAddress(serverContext),
      );
      const record = serverContext.operation;
      if (!result.admitted) {
        const { error, status, headers } = result;
        const code = errorCodeOf(error) as ErrorCode;
        record?.errorCodes.add(code);
        // Thrown as a GraphQL error with an HTTP status: Yoga answers it in the format the client
        // accepts and strips `extensions.http` from the body.
        throw createGatewayError(code, error.message, { ...error.extensions, http: { status, headers } });
      }
      serverContext.principal = result.principal;
      if (record) record.principal = result.principal;
    },
  };
}
