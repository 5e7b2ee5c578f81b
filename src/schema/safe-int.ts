// SafeInt: an integer every JSON reader holds exactly, from -(2^53 - 1) to 2^53 - 1. Bedrock's
// Longs (record counts) can pass Int's 32 bits; past 2^53 a number is no longer exact, so such a
// value is an error for its field (null where the field may be null) instead of a wrong count.
// Yoga's executor reports what serialize throws as an unexpected, masked error on that field.
// graphql-scalars' SafeInt, semantics and messages, written here: that package has one entry
// point loading all its scalars and mocks, ~90 ms more start-up for one scalar.
import { GraphQLError, Kind, print } from 'graphql';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { builder } from './builder.ts';

export const SafeInt = builder.scalarType('SafeInt', {
  description:
    "A whole number from -(2^53 - 1) to 2^53 - 1, which JavaScript and other JSON readers hold exactly. Counts that may exceed Int's 32 bits use it.",
  specifiedByURL: 'https://www.ecma-international.org/ecma-262/#sec-number.issafeinteger',
  serialize: (value) => {
    const number = toNumber(value);
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      throw new GraphQLError(`SafeInt cannot represent non-integer value: ${String(number)}`);
    }
    if (!Number.isSafeInteger(number)) throw new GraphQLError(`SafeInt cannot represent unsafe integer value: ${number}`);
    return number;
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw createGatewayError(ErrorCode.BAD_USER_INPUT, `SafeInt cannot represent non-integer value: ${String(value)}`);
    }
    if (!Number.isSafeInteger(value)) {
      throw createGatewayError(ErrorCode.BAD_USER_INPUT, `SafeInt cannot represent unsafe integer value: ${value}`);
    }
    return value;
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.INT) {
      throw createGatewayError(ErrorCode.BAD_USER_INPUT, `SafeInt cannot represent non-integer value: ${print(node)}`);
    }
    const number = Number.parseInt(node.value, 10);
    if (!Number.isSafeInteger(number)) {
      throw createGatewayError(ErrorCode.BAD_USER_INPUT, `SafeInt cannot represent unsafe integer value: ${node.value}`);
    }
    return number;
  },
});

/** Output coercion as graphql-scalars does it: boxed values unboxed, booleans 1/0, numeric strings read. */
function toNumber(value: unknown): unknown {
  const plain = typeof value === 'object' && value !== null ? (value.valueOf() as unknown) : value;
  if (typeof plain === 'boolean') return plain ? 1 : 0;
  if (typeof plain === 'string' && plain !== '') return Number(plain);
  return plain;
}
