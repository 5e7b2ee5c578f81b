// GraphQL over HTTP to this gateway's /graphql with the stored API key, for the list query and
// the stop mutation. GraphQL errors stay in the result; no answer, or one that is not a GraphQL
// result, throws a GatewayError.
import { readApiKey } from './api-key.js';
import { GatewayError, httpStatusCode } from './gateway-error.js';

const HTTP_ENDPOINT = new URL('graphql', location.href).href;

export async function graphql(query, variables) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  const apiKey = readApiKey();
  if (apiKey) headers['x-api-key'] = apiKey;
  let response;
  try {
    response = await fetch(HTTP_ENDPOINT, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new GatewayError('NETWORK', 'The gateway cannot be reached.');
  }
  const body = await response.json().catch(() => undefined);
  if (!body || typeof body !== 'object') {
    throw new GatewayError(httpStatusCode(response.status), `The gateway answered HTTP ${response.status}.`);
  }
  return body;
}
