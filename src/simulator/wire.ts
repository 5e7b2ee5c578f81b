// Bedrock's restJson1 wire shapes for the four job operations: reading and validating requests
// (with AWS-style ValidationException messages) and writing jobs as the SDK expects them.
import { SimulatorError } from './errors.ts';
import type { ListJobsQuery } from './job-store.ts';
import {
  JOB_STATUSES,
  type InputDataConfig,
  type JobTag,
  type ModelInvocationType,
  type OutputDataConfig,
  type SimulatedJob,
  type SimulatedJobStatus,
  type SubmitJobRequest,
  type VpcConfig,
} from './simulated-job.ts';

/** An API reference pattern: `text` as AWS prints it (for messages), `test` anchored and linear. */
interface ApiPattern {
  text: string;
  test(value: string): boolean;
}

const pattern = (text: string, equivalent?: RegExp): ApiPattern => {
  const regex = equivalent ?? new RegExp(`^${text}$`);
  return { text, test: (value) => regex.test(value) };
};

const JOB_IDENTIFIER_PATTERN = pattern(
  '((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})',
);
// AWS's text backtracks exponentially on inputs like "a---…-!" (`-*` then a class holding `-`).
// Under the 1–63 length limit, checked first, it accepts exactly what this linear form accepts.
const JOB_NAME_PATTERN = pattern('[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}', /^[a-zA-Z0-9][a-zA-Z0-9+.-]*$/);
const ROLE_ARN_PATTERN = pattern('arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+');
// Same reasoning: within 1–256 characters this is the pattern's exact language.
const CLIENT_TOKEN_PATTERN = pattern('[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}', /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/);
const S3_URI_PATTERN = pattern('s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?');
const ACCOUNT_PATTERN = pattern('[0-9]{12}');
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A job as GetModelInvocationJob / a ListModelInvocationJobs summary sends it: set members only. */
export function toWireJob(job: SimulatedJob): Record<string, unknown> {
  return {
    jobArn: job.jobArn,
    jobName: job.jobName,
    modelId: job.modelId,
    clientRequestToken: job.clientRequestToken,
    roleArn: job.roleArn,
    status: job.status,
    message: job.message,
    submitTime: job.submitTime.toISOString(),
    lastModifiedTime: job.lastModifiedTime?.toISOString(),
    endTime: job.endTime?.toISOString(),
    inputDataConfig: job.inputDataConfig,
    outputDataConfig: job.outputDataConfig,
    vpcConfig: job.vpcConfig,
    timeoutDurationInHours: job.timeoutDurationInHours,
    jobExpirationTime: job.jobExpirationTime?.toISOString(),
    modelInvocationType: job.modelInvocationType,
    totalRecordCount: job.totalRecordCount,
    processedRecordCount: job.processedRecordCount,
    successRecordCount: job.successRecordCount,
    errorRecordCount: job.errorRecordCount,
  };
}

/** Optional members a sparse list summary leaves out (the API requires only the others). */
const SPARSE_SUMMARY_OMITS: ReadonlySet<string> = new Set([
  'clientRequestToken',
  'message',
  'endTime',
  'vpcConfig',
  'timeoutDurationInHours',
  'jobExpirationTime',
  'modelInvocationType',
  'totalRecordCount',
]);

/** A list summary as the real service may send it: fewer members, in another order. */
export function toSparseWireSummary(job: SimulatedJob): Record<string, unknown> {
  const members = Object.entries(toWireJob(job)).filter(([member]) => !SPARSE_SUMMARY_OMITS.has(member));
  return Object.fromEntries(members.reverse());
}

/** The `{jobIdentifier}` path label, percent-decoded and checked against the API's pattern. */
export function parseJobIdentifier(rawLabel: string): string {
  let value: string;
  try {
    value = decodeURIComponent(rawLabel);
  } catch {
    value = rawLabel;
  }
  const problems = new Problems();
  problems.check(JOB_IDENTIFIER_PATTERN.test(value), value, 'jobIdentifier', `Member must satisfy regular expression pattern: ${JOB_IDENTIFIER_PATTERN.text}`);
  problems.throwIfAny();
  return value;
}

/** Decoded query parameters, in order; undecodable escapes are kept as sent. */
export function parseQueryString(raw: string): [string, string][] {
  if (raw === '') return [];
  return raw.split('&').map((part) => {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    return [decode(key), decode(value)];
  });
}

export function parseListQuery(query: readonly (readonly [string, string])[]): ListJobsQuery {
  const params = new Map<string, string>();
  for (const [key, value] of query) if (!params.has(key)) params.set(key, value);
  const problems = new Problems();
  const result: ListJobsQuery = {};

  const maxResults = params.get('maxResults');
  if (maxResults !== undefined) {
    const n = Number(maxResults);
    if (!/^-?\d+$/.test(maxResults)) problems.add(maxResults, 'maxResults', 'Member must be an integer');
    else if (n < 1) problems.add(maxResults, 'maxResults', 'Member must have value greater than or equal to 1');
    else if (n > 1000) problems.add(maxResults, 'maxResults', 'Member must have value less than or equal to 1000');
    else result.maxResults = n;
  }
  const sortBy = params.get('sortBy');
  if (sortBy !== undefined) problems.check(sortBy === 'CreationTime', sortBy, 'sortBy', 'Member must satisfy enum value set: [CreationTime]');
  const sortOrder = params.get('sortOrder');
  if (sortOrder !== undefined) {
    if (sortOrder === 'Ascending' || sortOrder === 'Descending') result.sortOrder = sortOrder;
    else problems.add(sortOrder, 'sortOrder', 'Member must satisfy enum value set: [Ascending, Descending]');
  }
  const status = params.get('statusEquals');
  if (status !== undefined) {
    if ((JOB_STATUSES as readonly string[]).includes(status)) result.statusEquals = status as SimulatedJobStatus;
    else problems.add(status, 'statusEquals', `Member must satisfy enum value set: [${JOB_STATUSES.join(', ')}]`);
  }
  const nameContains = params.get('nameContains');
  if (nameContains !== undefined) {
    if (nameContains.length < 1 || nameContains.length > 63) problems.add(nameContains, 'nameContains', 'Member must have length between 1 and 63');
    else if (!JOB_NAME_PATTERN.test(nameContains)) problems.add(nameContains, 'nameContains', `Member must satisfy regular expression pattern: ${JOB_NAME_PATTERN.text}`);
    else result.nameContains = nameContains;
  }
  for (const key of ['submitTimeAfter', 'submitTimeBefore'] as const) {
    const value = params.get(key);
    if (value === undefined) continue;
    const time = ISO_DATE_TIME.test(value) ? new Date(value) : undefined;
    if (time && !Number.isNaN(time.getTime())) result[key] = time;
    else problems.add(value, key, 'Member must be an ISO-8601 date-time');
  }
  const nextToken = params.get('nextToken');
  if (nextToken !== undefined) {
    if (nextToken.length >= 1 && nextToken.length <= 2048 && !/\s/.test(nextToken)) result.nextToken = nextToken;
    else problems.add(nextToken, 'nextToken', 'Member must satisfy regular expression pattern: \\S*');
  }
  problems.throwIfAny();
  return result;
}

export function parseCreateRequest(body: Buffer): SubmitJobRequest {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new SimulatorError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isObject(input)) throw new SimulatorError('SerializationException', 'The request body must be a JSON object.');

  const problems = new Problems();
  const jobName = problems.string(input, 'jobName', { required: true, min: 1, max: 63, pattern: JOB_NAME_PATTERN });
  const roleArn = problems.string(input, 'roleArn', { required: true, min: 0, max: 2048, pattern: ROLE_ARN_PATTERN });
  const modelId = problems.string(input, 'modelId', { required: true, min: 1, max: 2048 });
  const clientRequestToken = problems.string(input, 'clientRequestToken', { min: 1, max: 256, pattern: CLIENT_TOKEN_PATTERN });
  const inputDataConfig = parseInputConfig(problems, input.inputDataConfig);
  const outputDataConfig = parseOutputConfig(problems, input.outputDataConfig);
  const vpcConfig = parseVpcConfig(problems, input.vpcConfig);
  const tags = parseTags(problems, input.tags);

  let timeoutDurationInHours: number | undefined;
  const timeout = input.timeoutDurationInHours;
  if (timeout !== undefined && timeout !== null) {
    if (!Number.isInteger(timeout)) problems.add(timeout, 'timeoutDurationInHours', 'Member must be an integer');
    else if ((timeout as number) < 24) problems.add(timeout, 'timeoutDurationInHours', 'Member must have value greater than or equal to 24');
    else if ((timeout as number) > 168) problems.add(timeout, 'timeoutDurationInHours', 'Member must have value less than or equal to 168');
    else timeoutDurationInHours = timeout as number;
  }
  let modelInvocationType: ModelInvocationType | undefined;
  const type = input.modelInvocationType;
  if (type !== undefined && type !== null) {
    if (type === 'InvokeModel' || type === 'Converse') modelInvocationType = type;
    else problems.add(type, 'modelInvocationType', 'Member must satisfy enum value set: [InvokeModel, Converse]');
  }
  problems.throwIfAny();

  return {
    jobName: jobName as string,
    roleArn: roleArn as string,
    modelId: modelId as string,
    inputDataConfig: inputDataConfig as InputDataConfig,
    outputDataConfig: outputDataConfig as OutputDataConfig,
    clientRequestToken,
    vpcConfig,
    timeoutDurationInHours,
    tags,
    modelInvocationType,
  };
}

function parseInputConfig(problems: Problems, value: unknown): InputDataConfig | undefined {
  const s3 = union(problems, value, 'inputDataConfig', 's3InputDataConfig');
  if (!s3) return undefined;
  const s3Uri = problems.string(s3, 's3Uri', { required: true, min: 1, max: 1024, pattern: S3_URI_PATTERN }, 'inputDataConfig.s3InputDataConfig.');
  const format = s3.s3InputFormat;
  if (format !== undefined && format !== null && format !== 'JSONL') {
    problems.add(format, 'inputDataConfig.s3InputDataConfig.s3InputFormat', 'Member must satisfy enum value set: [JSONL]');
  }
  const owner = problems.string(s3, 's3BucketOwner', { min: 12, max: 12, pattern: ACCOUNT_PATTERN }, 'inputDataConfig.s3InputDataConfig.');
  return {
    s3InputDataConfig: { s3Uri: s3Uri ?? '', ...(format === 'JSONL' ? { s3InputFormat: format } : {}), ...(owner ? { s3BucketOwner: owner } : {}) },
  };
}

function parseOutputConfig(problems: Problems, value: unknown): OutputDataConfig | undefined {
  const s3 = union(problems, value, 'outputDataConfig', 's3OutputDataConfig');
  if (!s3) return undefined;
  const prefix = 'outputDataConfig.s3OutputDataConfig.';
  const s3Uri = problems.string(s3, 's3Uri', { required: true, min: 1, max: 1024, pattern: S3_URI_PATTERN }, prefix);
  const key = problems.string(s3, 's3EncryptionKeyId', { min: 1, max: 2048 }, prefix);
  const owner = problems.string(s3, 's3BucketOwner', { min: 12, max: 12, pattern: ACCOUNT_PATTERN }, prefix);
  return {
    s3OutputDataConfig: { s3Uri: s3Uri ?? '', ...(key ? { s3EncryptionKeyId: key } : {}), ...(owner ? { s3BucketOwner: owner } : {}) },
  };
}

/** A restJson union: exactly one known member set. */
function union(problems: Problems, value: unknown, field: string, member: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) {
    problems.add(null, field, 'Member must not be null');
    return undefined;
  }
  if (!isObject(value)) {
    problems.add(value, field, 'Member must be a structure');
    return undefined;
  }
  const keys = Object.keys(value).filter((key) => value[key] !== null && value[key] !== undefined);
  const inner = value[member];
  if (keys.length !== 1 || !isObject(inner)) {
    problems.add(value, field, `Member must have exactly one member set: ${member}`);
    return undefined;
  }
  return inner;
}

function parseVpcConfig(problems: Problems, value: unknown): VpcConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems.add(value, 'vpcConfig', 'Member must be a structure');
    return undefined;
  }
  const list = (key: 'subnetIds' | 'securityGroupIds', max: number): string[] => {
    const items = value[key];
    if (!Array.isArray(items) || items.length < 1 || items.length > max || !items.every((item) => typeof item === 'string')) {
      problems.add(items ?? null, `vpcConfig.${key}`, `Member must be a list of 1 to ${max} strings`);
      return [];
    }
    return items as string[];
  };
  return { subnetIds: list('subnetIds', 16), securityGroupIds: list('securityGroupIds', 5) };
}

function parseTags(problems: Problems, value: unknown): JobTag[] | undefined {
  if (value === undefined || value === null) return undefined;
  const valid =
    Array.isArray(value) &&
    value.length <= 200 &&
    value.every((tag) => isObject(tag) && typeof tag.key === 'string' && typeof tag.value === 'string');
  if (!valid) {
    problems.add(value, 'tags', 'Member must be a list of at most 200 {key, value} string pairs');
    return undefined;
  }
  return (value as { key: string; value: string }[]).map(({ key, value }) => ({ key, value }));
}

interface StringRule {
  required?: boolean;
  min: number;
  max: number;
  pattern?: ApiPattern;
}

/** Collects constraint violations and reports them the way AWS's ValidationException does. */
class Problems {
  private readonly messages: string[] = [];

  add(value: unknown, field: string, constraint: string): void {
    const shown = value === null || value === undefined ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
    this.messages.push(`Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
  }

  check(ok: boolean, value: unknown, field: string, constraint: string): void {
    if (!ok) this.add(value, field, constraint);
  }

  string(source: Record<string, unknown>, key: string, rule: StringRule, prefix = ''): string | undefined {
    const value = source[key];
    const field = `${prefix}${key}`;
    if (value === undefined || value === null) {
      if (rule.required) this.add(null, field, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(value, field, 'Member must be a string');
      return undefined;
    }
    if (value.length < rule.min || value.length > rule.max) {
      this.add(value, field, `Member must have length between ${rule.min} and ${rule.max}`);
      return undefined;
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      this.add(value, field, `Member must satisfy regular expression pattern: ${rule.pattern.text}`);
      return undefined;
    }
    return value;
  }

  throwIfAny(): void {
    const count = this.messages.length;
    if (count === 0) return;
    const noun = count === 1 ? 'validation error' : 'validation errors';
    throw new SimulatorError('ValidationException', `${count} ${noun} detected: ${this.messages.join('; ')}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
