// Where a job reads and writes its data, and its VPC. Input and output configs are unions so
// that a new AWS variant (beyond S3) can be added without breaking existing clients; until it
// is, a variant this SDK does not know is an UnknownDataConfig naming it, never an error.
import type {
  ModelInvocationJob,
  ModelInvocationJobS3InputDataConfig,
  ModelInvocationJobS3OutputDataConfig,
  VpcConfig,
} from '../bedrock/job.ts';
import { builder } from './builder.ts';
import { S3InputFormatEnum } from './model-invocation-job-status.ts';

/** A variant newer than this SDK, which hands it over as `{ $unknown: [name, value] }`. */
class UnknownVariant {
  constructor(readonly kind: string) {}
}

const S3InputDataConfig = builder
  .objectRef<ModelInvocationJobS3InputDataConfig>('ModelInvocationJobS3InputDataConfig')
  .implement({
    description: 'Input files in Amazon S3.',
    fields: (t) => ({
      s3InputFormat: t.field({
        type: S3InputFormatEnum,
        nullable: true,
        description: 'The format of the input files; null when Bedrock does not say (JSONL is the only format).',
        resolve: (c) => c.s3InputFormat,
      }),
      s3Uri: t.string({
        description: 'The S3 location of the input: one .jsonl file, or a folder whose .jsonl files are all read.',
        resolve: (c) => c.s3Uri ?? '',
      }),
      s3BucketOwner: t.exposeString('s3BucketOwner', {
        nullable: true,
        description: 'The 12-digit id of the account that owns the bucket, when one was given at creation; null otherwise.',
      }),
    }),
  });

const S3OutputDataConfig = builder
  .objectRef<ModelInvocationJobS3OutputDataConfig>('ModelInvocationJobS3OutputDataConfig')
  .implement({
    description: 'Output location in Amazon S3.',
    fields: (t) => ({
      s3Uri: t.string({
        description:
          'The S3 folder results go to: a subfolder named after the job id, holding one `.out` file per input file and `manifest.json.out`.',
        resolve: (c) => c.s3Uri ?? '',
      }),
      s3EncryptionKeyId: t.exposeString('s3EncryptionKeyId', {
        nullable: true,
        description: 'The KMS key that encrypts the output, when one was given at creation; null otherwise.',
      }),
      s3BucketOwner: t.exposeString('s3BucketOwner', {
        nullable: true,
        description: 'The 12-digit id of the account that owns the bucket, when one was given at creation; null otherwise.',
      }),
    }),
  });

const UnknownDataConfig = builder.objectRef<UnknownVariant>('UnknownDataConfig').implement({
  description:
    'A kind of data location that Bedrock reported but this gateway does not know yet (added to the API after the gateway was built). `kind` names it; a gateway with a newer SDK shows its details.',
  fields: (t) => ({
    kind: t.exposeString('kind', {
      description:
        "The variant's member name in Bedrock's API, as `s3InputDataConfig` is for S3; empty when Bedrock sent no member this gateway could name.",
    }),
  }),
});

export const InputDataConfig = builder.unionType('ModelInvocationJobInputDataConfig', {
  description: 'Where the job reads its input: S3 today, or a newer kind of location this gateway does not know yet.',
  types: [S3InputDataConfig, UnknownDataConfig],
  resolveType: (config) => (config instanceof UnknownVariant ? UnknownDataConfig : S3InputDataConfig),
});

export const OutputDataConfig = builder.unionType('ModelInvocationJobOutputDataConfig', {
  description: 'Where the job writes its output: S3 today, or a newer kind of location this gateway does not know yet.',
  types: [S3OutputDataConfig, UnknownDataConfig],
  resolveType: (config) => (config instanceof UnknownVariant ? UnknownDataConfig : S3OutputDataConfig),
});

export const VpcConfigRef = builder.objectRef<VpcConfig>('VpcConfig').implement({
  description: 'The VPC the job accesses its data through.',
  fields: (t) => ({
    subnetIds: t.stringList({
      description: "The subnets (1–16) in which Bedrock places the job's network interfaces.",
      resolve: (c) => c.subnetIds ?? [],
    }),
    securityGroupIds: t.stringList({
      description: 'The security groups (1–5) that control the network traffic of those interfaces.',
      resolve: (c) => c.securityGroupIds ?? [],
    }),
  }),
});

export function resolveInputDataConfig(job: ModelInvocationJob): ModelInvocationJobS3InputDataConfig | UnknownVariant {
  return job.inputDataConfig.s3InputDataConfig ?? unknownVariant(job.inputDataConfig);
}

export function resolveOutputDataConfig(job: ModelInvocationJob): ModelInvocationJobS3OutputDataConfig | UnknownVariant {
  return job.outputDataConfig.s3OutputDataConfig ?? unknownVariant(job.outputDataConfig);
}

// The SDK gives no member at all when Bedrock sent none, or several it does not know.
const unknownVariant = (config: { $unknown?: [string, unknown] }) => new UnknownVariant(config.$unknown?.[0] ?? '');
