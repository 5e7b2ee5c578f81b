// The GraphQL documents the page sends. The list's query, subscriptions and stop mutation all
// select the same job fields, so that any answer can replace a row's job (a running row's rate and
// ETA included: every progress event carries them afresh); a job's own view selects every field of
// the job, its timeline too, its results, and retries its failed records.
const JOB_FIELDS = `jobId jobArn jobName modelId status isTerminal progress
  processedRecordCount totalRecordCount errorRecordCount
  submitTime endTime lastModifiedTime message
  throughput { recordsPerMinute windowSeconds } estimatedCompletionTime`;

export const LIST_QUERY = `query DashboardJobs($filter: ModelInvocationJobFilter, $first: Int, $after: String) {
  modelInvocationJobs(filter: $filter, first: $first, after: $after, sortOrder: DESCENDING) {
    nodes { ${JOB_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CHANGES_SUBSCRIPTION = `subscription DashboardChanges($filter: ModelInvocationJobFilter) {
  modelInvocationJobsChanged(filter: $filter) { previousStatus job { ${JOB_FIELDS} } }
}`;

export const PROGRESS_SUBSCRIPTION = `subscription DashboardProgress($jobIdentifier: String!) {
  modelInvocationJobUpdated(jobIdentifier: $jobIdentifier) { ${JOB_FIELDS} }
}`;

export const STOP_MUTATION = `mutation DashboardStop($jobIdentifier: String!) {
  stopModelInvocationJob(jobIdentifier: $jobIdentifier) { ${JOB_FIELDS} }
}`;

/** Every field of ModelInvocationJob but `results`. */
const JOB_DETAIL_FIELDS = `${JOB_FIELDS}
  successRecordCount clientRequestToken roleArn modelInvocationType timeoutDurationInHours jobExpirationTime
  inputDataConfig {
    __typename
    ... on ModelInvocationJobS3InputDataConfig { s3Uri s3InputFormat s3BucketOwner }
    ... on UnknownDataConfig { kind }
  }
  outputDataConfig {
    __typename
    ... on ModelInvocationJobS3OutputDataConfig { s3Uri s3EncryptionKeyId s3BucketOwner }
    ... on UnknownDataConfig { kind }
  }
  vpcConfig { subnetIds securityGroupIds }
  startedAt
  timeline { status at observed }`;

const FAILED_RECORD_PAGE = `records(filter: { errorsOnly: true }, first: $first, after: $after) {
  nodes { recordId file error { errorCode errorMessage } }
  pageInfo { hasNextPage endCursor }
}`;

/**
 * A job's view in one request. `results` is asked for three times under aliases, because the
 * three parts need different scopes and fail apart: `results` (folder, manifest, cost, file
 * metadata) needs jobs:read; `downloads` (presigned URLs) and `failed` (record contents) need
 * results:read. A refused part is null with its own error and leaves the others standing.
 */
export const JOB_VIEW_QUERY = `query DashboardJob($jobIdentifier: String!, $first: Int, $after: String) {
  modelInvocationJob(jobIdentifier: $jobIdentifier) {
    ${JOB_DETAIL_FIELDS}
    results {
      s3Uri
      manifest { totalRecordCount processedRecordCount successRecordCount errorRecordCount inputTokenCount outputTokenCount }
      estimatedCost { currency inputCost outputCost total }
      files { s3Uri size lastModified }
    }
    downloads: results { files { s3Uri downloadUrl } }
    failed: results { ${FAILED_RECORD_PAGE} }
  }
}`;

export const FAILED_RECORDS_QUERY = `query DashboardFailedRecords($jobIdentifier: String!, $first: Int, $after: String) {
  modelInvocationJob(jobIdentifier: $jobIdentifier) {
    jobId
    failed: results { ${FAILED_RECORD_PAGE} }
  }
}`;

export const JOB_SUBSCRIPTION = `subscription DashboardJob($jobIdentifier: String!) {
  modelInvocationJobUpdated(jobIdentifier: $jobIdentifier) { ${JOB_DETAIL_FIELDS} }
}`;

export const RETRY_MUTATION = `mutation DashboardRetry($input: RetryFailedRecordsInput!) {
  retryFailedRecords(input: $input) { jobId jobName status }
}`;

/**
 * Whether this gateway has `retryFailedRecords`, without running it: the document is validated
 * against the schema (an unknown field is GRAPHQL_VALIDATION_FAILED), then the skipped field is
 * not executed. Works with introspection turned off, as it is in production.
 */
export const RETRY_PROBE = `mutation DashboardRetryProbe {
  retryFailedRecords(input: { jobIdentifiers: [], jobName: "probe" }) @skip(if: true) { jobId }
}`;

/** Who the stored API key is and what it may do (viewer.js): answered without any scope. */
export const VIEWER_QUERY = `query DashboardViewer { viewer { id kind scopes } }`;
