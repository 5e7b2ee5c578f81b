// Where a job reads and writes its data, and its VPC. Input and output configs are unions so
// that a new AWS variant (beyond S3) can be added without breaking existing clients.
import type {
  ModelInvocationJob,
  ModelInvocationJobS3InputDataConfig,
  ModelInvocationJobS3OutputDataConfig,
  VpcConfig,
} from '../bedrock/job.ts';
import { builder } from './builder.ts';
import { S3InputFormatEnum } from './model-invocation-job-status.ts';

const S3InputDataConfig = builder
  .objectRef<ModelInvocationJobS3InputDataConfig>('ModelInvocationJobS3InputDataConfig')
  .implement({
    description: 'Input files in Amazon S3.',
    fields: (t) => ({
      s3InputFormat: t.field({ type: S3InputFormatEnum, nullable: true, resolve: (c) => c.s3InputFormat }),
      s3Uri: t.string({ description: 'The S3 location of the input data.', resolve: (c) => c.s3Uri ?? '' }),
      s3BucketOwner: t.exposeString('s3BucketOwner', { nullable: true, description: 'The account that owns the bucket.' }),
    }),
  });

const S3OutputDataConfig = builder
  .objectRef<ModelInvocationJobS3OutputDataConfig>('ModelInvocationJobS3OutputDataConfig')
  .implement({
    description: 'Output location in Amazon S3.',
    fields: (t) => ({
      s3Uri: t.string({ description: 'The S3 location of the output data.', resolve: (c) => c.s3Uri ?? '' }),
      s3EncryptionKeyId: t.exposeString('s3EncryptionKeyId', { nullable: true, description: 'KMS key for the output.' }),
      s3BucketOwner: t.exposeString('s3BucketOwner', { nullable: true, description: 'The account that owns the bucket.' }),
    }),
  });

export const InputDataConfig = builder.unionType('ModelInvocationJobInputDataConfig', {
  description: 'Where the job reads its input. Today only S3.',
  types: [S3InputDataConfig],
  resolveType: () => S3InputDataConfig,
});

export const OutputDataConfig = builder.unionType('ModelInvocationJobOutputDataConfig', {
  description: 'Where the job writes its output. Today only S3.',
  types: [S3OutputDataConfig],
  resolveType: () => S3OutputDataConfig,
});

export const VpcConfigRef = builder.objectRef<VpcConfig>('VpcConfig').implement({
  description: 'The VPC the job accesses its data through.',
  fields: (t) => ({
    subnetIds: t.stringList({ resolve: (c) => c.subnetIds ?? [] }),
    securityGroupIds: t.stringList({ resolve: (c) => c.securityGroupIds ?? [] }),
  }),
});

/** The S3 member of the input union; a variant this gateway does not know yet is an error. */
export function resolveInputDataConfig(job: ModelInvocationJob): ModelInvocationJobS3InputDataConfig {
  const { s3InputDataConfig } = job.inputDataConfig;
  if (!s3InputDataConfig) throw new Error(`Unsupported inputDataConfig variant ${unknownVariant(job.inputDataConfig)}`);
  return s3InputDataConfig;
}

export function resolveOutputDataConfig(job: ModelInvocationJob): ModelInvocationJobS3OutputDataConfig {
  const { s3OutputDataConfig } = job.outputDataConfig;
  if (!s3OutputDataConfig) throw new Error(`Unsupported outputDataConfig variant ${unknownVariant(job.outputDataConfig)}`);
  return s3OutputDataConfig;
}

const unknownVariant = (config: { $unknown?: [string, unknown] }) => config.$unknown?.[0] ?? 'with no member';
