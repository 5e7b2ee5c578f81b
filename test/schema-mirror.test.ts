// The GraphQL job type must mirror the SDK's runtime schema: an SDK upgrade that adds a member
// or a status fails here instead of going unnoticed.
import { describe, expect, it } from 'vitest';
import { GetModelInvocationJobResponse$, ModelInvocationJobStatus } from '@aws-sdk/client-bedrock';
import { NormalizedSchema } from '@smithy/core/schema';
import { GraphQLEnumType, GraphQLNonNull, GraphQLObjectType, getNamedType } from 'graphql';
import { schema } from '../src/schema/index.ts';

const jobType = schema.getType('ModelInvocationJob') as GraphQLObjectType;

// The SDK's runtime schema has one numeric kind for Integer and Long alike, so the API
// reference's types are listed here; a numeric member in neither list fails until it is looked up.
/** Type: Long in the API reference: may pass Int's 32 bits, so SafeInt (53 bits). */
const LONG_MEMBERS = new Set(['totalRecordCount', 'processedRecordCount', 'successRecordCount', 'errorRecordCount']);
/** Type: Integer in the API reference. */
const INTEGER_MEMBERS = new Set(['timeoutDurationInHours']);

describe('ModelInvocationJob mirrors GetModelInvocationJobResponse', () => {
  const members = [...NormalizedSchema.of(GetModelInvocationJobResponse$).structIterator()];
  // A static structure schema is [kind, namespace, name, traits, memberNames, memberSchemas,
  // requiredCount]: the first `requiredCount` members are the required ones.
  const requiredCount = GetModelInvocationJobResponse$[6] ?? 0;
  const required = new Set(GetModelInvocationJobResponse$[4].slice(0, requiredCount));

  it('should read the SDK schema (20 members, 6 required, as of this SDK)', () => {
    expect(members.length).toBeGreaterThanOrEqual(20);
    expect([...required].sort()).toEqual(
      ['inputDataConfig', 'jobArn', 'modelId', 'outputDataConfig', 'roleArn', 'submitTime'].sort(),
    );
  });

  it.each(members.map(([name, member]) => [name, member] as const))('should have member %s', (name, member) => {
    const field = jobType.getFields()[name];
    expect(field, `ModelInvocationJob.${name} is missing`).toBeDefined();
    expect(field!.type instanceof GraphQLNonNull, `nullability of ${name}`).toBe(required.has(name));
    const named = getNamedType(field!.type).name;
    if (member.isTimestampSchema()) expect(named).toBe('DateTime');
    if (member.isNumericSchema()) {
      const known = LONG_MEMBERS.has(name) || INTEGER_MEMBERS.has(name);
      expect(known, `look up whether ${name} is an Integer or a Long in the API reference`).toBe(true);
      expect(named, `GraphQL type of ${name}`).toBe(LONG_MEMBERS.has(name) ? 'SafeInt' : 'Int');
    }
    if (member.isStructSchema() || member.isUnionSchema()) expect(named).not.toMatch(/^(String|Int|Boolean|Float)$/);
  });

  it('should offer the derived fields', () => {
    expect(Object.keys(jobType.getFields())).toEqual(expect.arrayContaining(['jobId', 'isTerminal', 'progress']));
  });
});

describe('ModelInvocationJobStatus mirrors the SDK enum', () => {
  const statusEnum = schema.getType('ModelInvocationJobStatus') as GraphQLEnumType;

  it('should have every SDK key as a GraphQL name with the wire string as its value', () => {
    const values = Object.fromEntries(statusEnum.getValues().map((value) => [value.name, value.value]));
    expect(values).toEqual({ ...ModelInvocationJobStatus });
  });
});
