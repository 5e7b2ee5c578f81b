// GraphQL over HTTP to this gateway's /graphql with the stored API key, for queries and
// mutations. GraphQL errors stay in the result; no answer, or one that is not a GraphQL
// result, throws a GatewayError.
import { readApiKey } from './api-key.js';
import { GatewayError, httpStatusCode } from './gateway-error.js';

const HTTP_ENDPOINT = new URL('graphql', location.href).href;

/**
 * `probe`: the document may not validate against this gateway's schema (capabilities.js). It then
 * asks for plain `application/json`, whose answers carry validation errors with status 200: with
 * `application/graphql-response+json` they come as a 400, which the browser's console reports as a
 * failed resource.
 */
export async function graphql(query, variables, { probe = false } = {}) {
  const headers = {
    'content-type': 'application/json',
    accept: probe ? 'application/json' : 'application/graphql-response+json, application/json',
  };
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
