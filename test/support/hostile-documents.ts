// fast-check generators of hostile input: GraphQL documents built from this schema's names and
// GraphQL's syntax (valid, half-valid and broken), variables, and job identifiers.
import fc from 'fast-check';

const FIELD_NAMES = [
  'modelInvocationJob',
  'modelInvocationJobsByIdentifier',
  'modelInvocationJobStatusChanged',
  'modelInvocationJobUpdated',
  'jobId',
  'jobArn',
  'status',
  'progress',
  'submitTime',
  'inputDataConfig',
  's3Uri',
  'job',
  '__typename',
  '__schema',
  '__type',
  'types',
  'fields',
  'type',
  'ofType',
  'name',
  'nope',
];
const ARG_NAMES = ['jobIdentifier', 'jobIdentifiers', 'name', 'if', 'first', 'bogus'];
const DIRECTIVES = ['@include(if: true)', '@skip(if: false)', '@skip(if: $flag)', '@deprecated', '@specifiedBy(url: "x")', '@nope'];

/** Job identifiers: valid ids and ARNs, near misses, and junk. */
export const identifier = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{12}$/),
  fc.stringMatching(/^arn:aws(-[a-z]{2,6})?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job\/[a-z0-9]{12}$/),
  fc.stringMatching(/^[A-Za-z0-9]{11,13}$/),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constantFrom('', ' ', '\u0000', 'zzzzzzzzzzzz\n', '../../etc/passwd', "abcdefghijkl' OR 1=1", '${jndi:ldap://x}', '%00', '\u202e'),
);

const literal: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    identifier.map((s) => JSON.stringify(s)),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.constantFrom('true', 'false', 'null', 'IN_PROGRESS', '$id', '$ids', '$flag', '$missing'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc.array(fc.tuple(fc.constantFrom(...ARG_NAMES), tie('value')), { maxLength: 3 }).map(
      (entries) => `{ ${entries.map(([k, v]) => `${k}: ${v}`).join(', ')} }`,
    ),
  ),
})).value;

const args = fc.option(
  fc.array(fc.tuple(fc.constantFrom(...ARG_NAMES), literal), { minLength: 1, maxLength: 3 }).map(
    (pairs) => `(${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')})`,
  ),
  { nil: '' },
);

const selectionSet: fc.Arbitrary<string> = fc.letrec<{ set: string; selection: string }>((tie) => ({
  set: fc.array(tie('selection'), { minLength: 1, maxLength: 4 }).map((items) => `{ ${items.join(' ')} }`),
  selection: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(
        fc.option(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,6}$/), { nil: undefined }),
        fc.constantFrom(...FIELD_NAMES),
        args,
        fc.array(fc.constantFrom(...DIRECTIVES), { maxLength: 2 }),
        fc.option(tie('set'), { nil: '' }),
      )
      .map(([alias, name, a, directives, sub]) => `${alias ? `${alias}: ` : ''}${name}${a} ${directives.join(' ')} ${sub}`),
    fc.constantFrom('...F', '...G', '... on ModelInvocationJob { jobId }', '... on Query { __typename }'),
  ),
})).set;

const variableDefinitions = fc.constantFrom('', '($id: String!)', '($ids: [String!]!, $flag: Boolean)', '($id: String = "abc")', '($x: Nope)');

/** Syntax soup: operations over this schema's names, mostly invalid, sometimes cut or salted. */
const soup = fc
  .tuple(
    fc.constantFrom('', 'query', 'query Q', 'subscription S', 'mutation M', 'query Q', 'fragment'),
    variableDefinitions,
    selectionSet,
    fc.option(
      selectionSet.map((set) => `fragment F on Query ${set} fragment G on ModelInvocationJob { jobId ${Math.random() < 0.2 ? '...G' : ''} }`),
      { nil: '' },
    ),
    fc.constantFrom('none', 'cut', 'salt'),
    fc.nat(),
  )
  .map(([keyword, vars, set, fragments, damage, at]) => {
    const text = `${keyword}${keyword && keyword !== 'fragment' ? vars : ''} ${set} ${fragments}`;
    if (damage === 'cut') return text.slice(0, at % (text.length + 1));
    if (damage === 'salt') {
      const i = at % (text.length + 1);
      return `${text.slice(0, i)}${'{}()[]:$@!."#\\\u0000'[at % 14]}${text.slice(i)}`;
    }
    return text;
  });

/** Variables: anything JSON can hold, plus the names the documents use with hostile values. */
const variables = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    { id: identifier, ids: fc.array(identifier, { maxLength: 8 }), flag: fc.jsonValue({ maxDepth: 1 }) },
    { requiredKeys: [] },
  ),
);

const JOB_FIELDS = ['jobArn', 'jobId', 'jobName', 'modelId', 'status', 'message', 'submitTime', 'endTime', 'isTerminal', 'progress', 'totalRecordCount', 'processedRecordCount', '__typename'];
const NESTED = [
  'inputDataConfig { __typename ... on ModelInvocationJobS3InputDataConfig { s3Uri s3InputFormat } }',
  'outputDataConfig { ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }',
  'vpcConfig { subnetIds }',
  '...JobFields',
];
const directive = fc.constantFrom('', '', '@include(if: true)', '@skip(if: true)', '@include(if: $flag)', '@skip(if: $flag)');
const alias = fc.option(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/), { nil: undefined }).map((a) => (a ? `${a}: ` : ''));
const jobSelection = fc
  .tuple(fc.subarray(JOB_FIELDS, { minLength: 1 }), fc.subarray(NESTED), fc.array(fc.tuple(alias, directive), { maxLength: 3 }))
  .map(([fields, nested, decorations]) => {
    const items = [...fields, ...nested];
    return `{ ${items.map((item, i) => (decorations[i] && !item.startsWith('...') && !item.includes('{') ? `${decorations[i]![0]}${item} ${decorations[i]![1]}` : item)).join(' ')} }`;
  });
const rootField = fc.oneof(
  fc.tuple(alias, fc.oneof(identifier.map((s) => JSON.stringify(s)), fc.constant('$id')), directive, jobSelection).map(
    ([a, id, d, sel]) => `${a}modelInvocationJob(jobIdentifier: ${id}) ${d} ${sel}`,
  ),
  fc.tuple(alias, fc.oneof(fc.array(identifier, { maxLength: 6 }).map((ids) => JSON.stringify(ids)), fc.constant('$ids')), jobSelection).map(
    ([a, ids, sel]) => `${a}modelInvocationJobsByIdentifier(jobIdentifiers: ${ids}) ${sel}`,
  ),
  fc.tuple(alias, directive).map(([a, d]) => `${a}__typename ${d}`),
);

const DEFINITIONS: Record<string, string> = { $id: '$id: String = "zzzzzzzzzzzz"', $ids: '$ids: [String!] = []', $flag: '$flag: Boolean = false' };

/** Operations that mostly pass validation, so execution paths get hostile values too. */
const valid = fc.array(rootField, { minLength: 1, maxLength: 4 }).map((fields) => {
  const body = fields.join(' ');
  const used = Object.keys(DEFINITIONS).filter((name) => new RegExp(`\\${name}\\b`).test(body));
  const definitions = used.length ? `(${used.map((name) => DEFINITIONS[name]).join(', ')})` : '';
  const fragment = body.includes('...JobFields') ? ' fragment JobFields on ModelInvocationJob { jobId status progress }' : '';
  return `query Q${definitions} { ${body} }${fragment}`;
});

/** Variables for `valid` operations: the names they use, with hostile values. */
const validVariables = fc.record(
  { id: identifier, ids: fc.array(identifier, { maxLength: 8 }), flag: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })) },
  { requiredKeys: [] },
);

/** A request: a valid operation over this schema with hostile values, or syntax soup with anything. */
export const operation = fc.oneof(
  { weight: 3, arbitrary: fc.record({ query: valid, variables: validVariables, operationName: fc.constantFrom(undefined, 'Q') }) },
  {
    weight: 1,
    arbitrary: fc.record({ query: soup, variables, operationName: fc.option(fc.constantFrom('Q', 'S', 'M', 'nope', ''), { nil: undefined }) }),
  },
);
