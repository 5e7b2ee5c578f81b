// JSON: any JSON value, as graphql-scalars' JSON scalar has it (same name, same semantics), written
// here: that package has one entry point loading all its scalars and mocks, ~90 ms more start-up
// for one scalar. Records' modelInput and modelOutput are JSON values of the model's own shape.
import { Kind, print, type ObjectValueNode, type ValueNode } from 'graphql';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { builder } from './builder.ts';

export const JSONScalar = builder.scalarType('JSON', {
  description:
    'Any JSON value (object, array, string, number, boolean or null), as given: records carry the model request and answer in the shape the model defines.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc8259',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literalValue(node, variables ?? undefined),
});

/** A literal's JSON value, variables inside it resolved; GraphQL enum values read as strings. */
function literalValue(node: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literalValue(value, variables));
    case Kind.OBJECT:
      return objectValue(node, variables);
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      throw createGatewayError(ErrorCode.BAD_USER_INPUT, `JSON cannot represent value: ${print(node)}`);
  }
}

function objectValue(node: ObjectValueNode, variables: Record<string, unknown> | undefined): Record<string, unknown> {
  const object: Record<string, unknown> = Object.create(null);
  for (const field of node.fields) object[field.name.value] = literalValue(field.value, variables);
  return object;
}
