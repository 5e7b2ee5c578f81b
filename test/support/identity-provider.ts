// A stand-in identity provider on a loopback port: serves a JSON Web Key Set and signs tokens
// with its private key, plus HS256 tokens for JWT_SECRET. Uses jose, as a real IdP library would.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';

export interface TokenOptions {
  /** Seconds from now; negative for an expired token. @default 300 */
  expiresIn?: number;
  issuer?: string;
  audience?: string;
  subject?: string;
}

async function sign(claims: JWTPayload, key: Parameters<SignJWT['sign']>[0], header: { alg: string; kid?: string }, options: TokenOptions) {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader(header).setIssuedAt(now).setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  jwt = jwt.setSubject(options.subject ?? 'user-1');
  return jwt.sign(key);
}

/** An HS256 token signed with `secret`, carrying `scope`. */
export function signHs256(secret: string, scope: string, options: TokenOptions = {}): Promise<string> {
  return sign({ scope }, new TextEncoder().encode(secret), { alg: 'HS256' }, options);
}

export interface IdentityProvider {
  /** The JWKS URL to put in JWT_JWKS_URL. */
  jwksUrl: string;
  /** An RS256 token signed with the published key. */
  token(scope: string, options?: TokenOptions): Promise<string>;
  /** An RS256 token signed with a key that is not published. */
  foreignToken(scope: string, options?: TokenOptions): Promise<string>;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  close(): Promise<void>;
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches += 1;
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: (scope, options = {}) => sign({ scope }, privateKey, { alg: 'RS256', kid: 'key-1' }, options),
    foreignToken: (scope, options = {}) => sign({ scope }, foreign.privateKey, { alg: 'RS256', kid: 'key-1' }, options),
    get fetches() {
      return fetches;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
