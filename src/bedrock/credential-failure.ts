// Failures of the gateway's own AWS credentials, told apart from a caller's mistakes and from
// outages, for Bedrock's and S3's error mapping alike (bedrock/jobs.ts, results/storage.ts).
// Only the operator can fix them, so clients get UPSTREAM_UNAVAILABLE saying so, without the
// SDK's details (profile names, file paths), and the log gets the SDK's message without a stack.

/**
 * What AWS answers (HTTP 400 or 403) to a request whose credentials are unknown, expired or
 * signed wrong: Bedrock's error types first, then S3's codes. Access denied is not among them:
 * that is a permission of valid credentials (FORBIDDEN).
 */
const REJECTED_CREDENTIALS: ReadonlySet<string> = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);

/**
 * `unavailable`: the SDK's credential providers found none (CredentialsProviderError "Could not
 * load credentials from any providers", an expired SSO session, an instance role that did not
 * answer); `rejected`: AWS refused the ones it signed with. Undefined for any other failure.
 */
export type CredentialFailure = { kind: 'unavailable' | 'rejected'; name: string; message: string };

export function credentialFailureOf(error: unknown): CredentialFailure | undefined {
  const failure = (error ?? {}) as { name?: unknown; message?: unknown; tryNextLink?: unknown };
  const name = typeof failure.name === 'string' ? failure.name : '';
  const message = typeof failure.message === 'string' ? failure.message.replace(/\s+/g, ' ').trim() : '';
  // Every error of the SDK's credential (and token) providers is a ProviderError with `tryNextLink`.
  if (typeof failure.tryNextLink === 'boolean' && /ProviderError$|Credentials|Metadata/.test(name)) {
    return { kind: 'unavailable', name, message };
  }
  if (REJECTED_CREDENTIALS.has(name)) return { kind: 'rejected', name, message };
  return undefined;
}

/** What to log about a failed call: a credentials failure in one line (its stack is the SDK's internals), else the error. */
export function logCause(error: unknown): { reason: string } | { err: unknown } {
  const credentials = credentialFailureOf(error);
  return credentials ? { reason: `${credentials.name}: ${credentials.message}` } : { err: error };
}

/** The client's message: what failed and that the operator must act; `call` names the call, e.g. "Bedrock GetModelInvocationJob". */
export function describeCredentialFailure(failure: CredentialFailure, call: string): string {
  return failure.kind === 'unavailable'
    ? `The gateway could not load its AWS credentials for ${call}: its operator must provide them (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an SSO login, or an instance or task role)`
    : `AWS rejected the gateway's credentials for ${call} (${failure.name}: expired or not valid): its operator must renew them`;
}
