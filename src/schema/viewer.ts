// Query.viewer: who the credentials of a request are and what they may do, so that a client (the
// dashboard) offers only the actions they allow instead of learning it from a FORBIDDEN. It
// answers any authenticated caller, whatever its scopes: a key without jobs:read must still be
// able to find out that it lacks jobs:read. Without valid credentials (auth on) the request is
// refused before it runs, with UNAUTHENTICATED, as every other one is.
import { SCOPES, type Principal } from '../access/scopes.ts';
import { builder } from './builder.ts';

const ViewerKindEnum = builder.enumType('ViewerKind', {
  description: 'What kind of credentials a request was made with.',
  values: {
    API_KEY: { value: 'api-key', description: 'An API key sent as `x-api-key` (one of GATEWAY_API_KEYS).' },
    JWT: { value: 'jwt', description: 'A bearer token sent as `Authorization: Bearer …`; its `scope` claim grants the scopes.' },
    ANONYMOUS: { value: 'anonymous', description: 'No credentials: authentication is off (AUTH_REQUIRED=false) and every caller has every scope.' },
  } as const satisfies Record<string, { value: Principal['kind']; description: string }>,
});

const ViewerRef = builder.objectRef<Principal>('Viewer').implement({
  description: 'The caller, as the gateway authenticated it. Never carries the credential itself.',
  fields: (t) => ({
    id: t.exposeString('id', {
      description:
        'A stable identifier of the credentials that is not a secret, as logs and metrics name them: `key:` and the first 12 hex digits of the API key\'s SHA-256, `jwt:` and the token\'s `sub`, or `anonymous`.',
    }),
    kind: t.field({ type: ViewerKindEnum, description: 'What kind of credentials these are.', resolve: (principal) => principal.kind }),
    scopes: t.stringList({
      description:
        'The scopes these credentials carry, in the order `jobs:read` (queries and subscriptions), `jobs:write` (mutations), `results:read` (record contents and download links of job outputs).',
      resolve: (principal) => SCOPES.filter((scope) => principal.scopes.has(scope)),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'Who the request runs as and which scopes it carries. Needs no scope: any authenticated caller may ask.',
    // Query needs jobs:read on its type (schema/index.ts); this field alone does not.
    skipTypeScopes: true,
    resolve: (_root, _args, context) => context.principal,
  }),
);
