// Job identifiers: validated against the API's pattern and normalised to the bare 12-character
// id, so the ARN and the id of one job are one key everywhere (loader, cache, watch set).
import { ErrorCode, createGatewayError } from '../errors.ts';

const JOB_IDENTIFIER =
  /^(?:arn:aws(?:-[^:]+)?:bedrock:([a-z0-9-]{1,20}):([0-9]{12}):model-invocation-job\/)?([a-z0-9]{12})$/;

/** The bare job id of an ARN or id, or undefined when it does not match the API's pattern. */
export function parseJobId(identifier: string): string | undefined {
  return JOB_IDENTIFIER.exec(identifier)?.[3];
}

/**
 * The identifiers of one Bedrock endpoint's jobs. A bare id is the same job however it was written,
 * but an ARN also names a region and an account: one the gateway cannot reach through its client
 * would come back as "not found" at best, so it is refused before any call.
 */
export interface JobIdentifiers {
  /**
   * The bare job id, or BAD_USER_INPUT naming what is wrong: not an ARN or id at all, an ARN of
   * another region than the client's, or of another account than the one Bedrock's answers name.
   */
  normalise(identifier: string): string;
  /** The region the client calls (once the SDK resolved it, or an ARN from Bedrock named it). */
  knowRegion(region: string): void;
  /** Notes the region and account of an ARN Bedrock returned: they are this endpoint's. */
  learn(jobArn: string): void;
}

export function createJobIdentifiers(): JobIdentifiers {
  let region: string | undefined;
  let account: string | undefined;
  const refuse = (message: string) => {
    throw createGatewayError(ErrorCode.BAD_USER_INPUT, message, { argument: 'jobIdentifier' });
  };
  return {
    normalise(identifier) {
      const match = JOB_IDENTIFIER.exec(identifier);
      if (!match) {
        return refuse(
          `Invalid job identifier ${JSON.stringify(identifier.slice(0, 200))}: expected a model-invocation-job ARN or a 12-character id of lowercase letters and digits`,
        );
      }
      const [, arnRegion, arnAccount, id] = match as unknown as [string, string | undefined, string | undefined, string];
      if (arnRegion !== undefined && region !== undefined && arnRegion !== region) {
        refuse(`The job ARN is in region ${arnRegion}, but this gateway calls Bedrock in ${region}: use a gateway of that region`);
      }
      if (arnAccount !== undefined && account !== undefined && arnAccount !== account) {
        refuse(`The job ARN belongs to account ${arnAccount}, but this gateway calls Bedrock as account ${account}`);
      }
      return id;
    },
    knowRegion(known) {
      region = known;
    },
    learn(jobArn) {
      const match = JOB_IDENTIFIER.exec(jobArn);
      if (!match?.[1]) return;
      region ??= match[1];
      account = match[2];
    },
  };
}

/** The bare id at the end of a job ARN. */
export function jobIdFromArn(jobArn: string): string {
  return jobArn.slice(jobArn.lastIndexOf('/') + 1);
}
