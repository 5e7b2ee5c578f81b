// CreateModelInvocationJob's documented constraints, checked before the call so a client learns
// which field is wrong without a round trip. Patterns are linear-time equivalents of the API's.
import { randomUUID } from 'node:crypto';
import type { ModelInvocationJob } from './job.ts';
import type { CreateJobInput } from './jobs.ts';

export interface FieldProblem {
  /** Path of the offending field inside the input, e.g. `inputDataConfig.s3InputDataConfig.s3Uri`. */
  field: string;
  message: string;
}

// The API's `[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}` backtracks exponentially in JS; this
// accepts the same names within the 63-character limit. ListModelInvocationJobs' nameContains
// follows the same rule.
export const JOB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9+.-]*$/;
const CLIENT_REQUEST_TOKEN = /^[a-zA-Z0-9](?:-*[a-zA-Z0-9])*$/;
const ROLE_ARN = /^arn:aws(?:-[^:]+)?:iam::(?:[0-9]{12})?:role\/.+$/;
const MODEL_ID = /^[a-zA-Z0-9_.\-/:]+$/;
const S3_URI = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](?:\/.*)?$/;
const ACCOUNT_ID = /^[0-9]{12}$/;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const SUBNET_ID = /^subnet-[0-9a-z]+$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-z]+$/;

export function validateCreateJobRequest(input: CreateJobInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push({ field, message: `${field} ${message}` });
  };
  const text = (value: string | undefined, field: string, min: number, max: number, pattern?: RegExp, rule?: string) => {
    if (value === undefined) return;
    check(value.length >= min && value.length <= max, field, `must be ${min}–${max} characters (got ${value.length})`);
    if (pattern && value.length <= max) check(pattern.test(value), field, `must match ${rule ?? pattern.source}`);
  };

  text(input.jobName, 'jobName', 1, 63, JOB_NAME, 'a letter or digit followed by letters, digits, +, - or .');
  text(input.roleArn, 'roleArn', 1, 2048, ROLE_ARN, 'an IAM role ARN (arn:aws:iam::123456789012:role/name)');
  text(input.modelId, 'modelId', 1, 2048, MODEL_ID, 'a model id or ARN');
  text(input.clientRequestToken, 'clientRequestToken', 1, 256, CLIENT_REQUEST_TOKEN, 'letters and digits, with single or repeated dashes between them');

  const s3Input = input.inputDataConfig?.s3InputDataConfig;
  text(s3Input?.s3Uri, 'inputDataConfig.s3InputDataConfig.s3Uri', 1, 1024, S3_URI, 'an S3 URI (s3://bucket/key)');
  text(s3Input?.s3BucketOwner, 'inputDataConfig.s3InputDataConfig.s3BucketOwner', 12, 12, ACCOUNT_ID, 'a 12-digit account id');
  const s3Output = input.outputDataConfig?.s3OutputDataConfig;
  text(s3Output?.s3Uri, 'outputDataConfig.s3OutputDataConfig.s3Uri', 1, 1024, S3_URI, 'an S3 URI (s3://bucket/prefix/)');
  text(s3Output?.s3BucketOwner, 'outputDataConfig.s3OutputDataConfig.s3BucketOwner', 12, 12, ACCOUNT_ID, 'a 12-digit account id');
  text(s3Output?.s3EncryptionKeyId, 'outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId', 1, 2048);

  if (input.timeoutDurationInHours !== undefined) {
    check(
      input.timeoutDurationInHours >= 24 && input.timeoutDurationInHours <= 168,
      'timeoutDurationInHours',
      `must be from 24 to 168 (got ${input.timeoutDurationInHours})`,
    );
  }
  if (input.vpcConfig) {
    const { subnetIds = [], securityGroupIds = [] } = input.vpcConfig;
    check(subnetIds.length >= 1 && subnetIds.length <= 16, 'vpcConfig.subnetIds', 'must hold 1–16 subnet ids');
    subnetIds.forEach((id, i) => text(id, `vpcConfig.subnetIds[${i}]`, 1, 32, SUBNET_ID, 'subnet-…'));
    check(securityGroupIds.length >= 1 && securityGroupIds.length <= 5, 'vpcConfig.securityGroupIds', 'must hold 1–5 security group ids');
    securityGroupIds.forEach((id, i) => text(id, `vpcConfig.securityGroupIds[${i}]`, 1, 32, SECURITY_GROUP_ID, 'sg-…'));
  }
  if (input.tags) {
    check(input.tags.length <= 200, 'tags', `must hold at most 200 tags (got ${input.tags.length})`);
    input.tags.slice(0, 200).forEach((tag, i) => {
      text(tag.key, `tags[${i}].key`, 1, 128, TAG_TEXT, 'letters, digits, spaces and _ . : / = + - @');
      text(tag.value, `tags[${i}].value`, 0, 256, TAG_TEXT, 'letters, digits, spaces and _ . : / = + - @');
    });
  }
  return problems;
}

/**
 * The request with a clientRequestToken: the caller's, or a new one. With it the request is
 * idempotent, so a caller that never got an answer can send it again without a second job.
 */
export function withClientRequestToken(input: CreateJobInput): CreateJobInput & { clientRequestToken: string } {
  return { ...input, clientRequestToken: input.clientRequestToken ?? randomUUID() };
}

/**
 * The job as far as the request tells it, for when Bedrock accepted it (`jobArn`) but could not
 * be read back: what was asked for, `Submitted` (every job starts there), submitted about now.
 */
export function jobFromRequest(input: CreateJobInput, jobArn: string, submitTime: Date): ModelInvocationJob {
  const { jobName, modelId, roleArn, clientRequestToken, inputDataConfig, outputDataConfig, vpcConfig } = input;
  const { timeoutDurationInHours, modelInvocationType } = input;
  return {
    jobArn,
    jobName,
    modelId,
    roleArn,
    clientRequestToken,
    status: 'Submitted',
    submitTime,
    inputDataConfig,
    outputDataConfig,
    vpcConfig,
    timeoutDurationInHours,
    modelInvocationType,
  } as ModelInvocationJob;
}
