// Job identifiers: validated against the API's pattern and normalised to the bare 12-character
// id, so the ARN and the id of one job are one key everywhere (loader, cache, watch set).
import { ErrorCode, createGatewayError } from '../errors.ts';

const JOB_IDENTIFIER =
  /^(?:arn:aws(?:-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job\/)?([a-z0-9]{12})$/;

/** The bare job id of an ARN or id, or undefined when it does not match the API's pattern. */
export function parseJobId(identifier: string): string | undefined {
  return JOB_IDENTIFIER.exec(identifier)?.[1];
}

/** The bare job id, or a BAD_USER_INPUT error naming what was wrong. */
export function normaliseJobIdentifier(identifier: string): string {
  const id = parseJobId(identifier);
  if (id === undefined) {
    throw createGatewayError(
      ErrorCode.BAD_USER_INPUT,
      `Invalid job identifier ${JSON.stringify(identifier.slice(0, 200))}: expected a model-invocation-job ARN or a 12-character id of lowercase letters and digits`,
      { argument: 'jobIdentifier' },
    );
  }
  return id;
}

/** The bare id at the end of a job ARN. */
export function jobIdFromArn(jobArn: string): string {
  return jobArn.slice(jobArn.lastIndexOf('/') + 1);
}
