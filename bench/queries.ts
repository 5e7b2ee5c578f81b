// The operations the benchmarks send.

/** The baseline's trivial query (see bare-process.ts). */
export const BARE_QUERY = '{ hello }';

/** One job with the fields a job page shows (the README's first example). */
export const JOB_QUERY = `query Job($id: String!) {
  modelInvocationJob(jobIdentifier: $id) {
    jobId jobName modelId status progress
    processedRecordCount totalRecordCount
    submitTime endTime message
    inputDataConfig { ... on ModelInvocationJobS3InputDataConfig { s3Uri } }
    outputDataConfig { ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }
  }
}`;

export const JOBS_BY_IDENTIFIER_QUERY = `query Jobs($ids: [String!]!) {
  modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId status progress }
}`;

export const STATUS_SUBSCRIPTION = `subscription Status($id: String!) {
  modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus observedAt job { jobId processedRecordCount } }
}`;

/** Sent by every benchmark client: the gateway keys its response cache by credentials. */
export const CLIENT_HEADERS = { authorization: 'Bearer benchmark-client' };
