// The document GraphiQL opens on: one operation per thing a newcomer wants to try, with real job
// ids from the simulator so that ▶ works on first start, and where a key goes when auth is on.
//
// GraphiQL sends the chosen operation with every fragment of the document, and an unused
// fragment fails validation ("Fragment … is never used"), so the example has no fragments: each
// operation runs on its own, and so does any operation a reader adds (issue 17).

/** Stands in for job ids when there are none (against AWS): a valid id, answered NOT_FOUND. */
const PLACEHOLDER_ID = 'abcdef012345';

/** The example document, with `jobIds` (the newest first) in its operations. */
export function graphiqlExample(jobIds: readonly string[]): string {
  const ids = jobIds.length > 0 ? jobIds : [PLACEHOLDER_ID];
  const one = JSON.stringify(ids[0]);
  const many = ids.map((id) => JSON.stringify(id)).join(', ');
  return `# Bedrock batch inference jobs. Each operation below
# runs on its own: click into one and press ▶, or pick
# it from ▶'s menu. Ctrl+Space completes fields.
#
# With authentication on ("Error fetching schema",
# UNAUTHENTICATED), open the Headers tab below and put
#   {"x-api-key": "<key>"}
# for an API key (GATEWAY_API_KEYS), or
#   {"authorization": "Bearer <token>"}
# for a JWT (JWT_SECRET, JWT_JWKS_URL). The schema
# loads as soon as the headers are valid JSON.

# The newest jobs (one ListModelInvocationJobs call)
query RecentJobs {
  modelInvocationJobs(first: 5) {
    nodes {
      jobId
      jobName
      modelId
      status
      progress
      submitTime
      endTime
    }
    pageInfo { hasNextPage endCursor }
  }
}

# One job, by ARN or 12-character id
query Job {
  modelInvocationJob(jobIdentifier: ${one}) {
    jobId
    jobName
    modelId
    status
    message
    processedRecordCount
    totalRecordCount
    progress
    submitTime
    endTime
    inputDataConfig { ... on ModelInvocationJobS3InputDataConfig { s3Uri } }
    outputDataConfig { ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }
  }
}

# Many jobs at once: one call per distinct job, in
# parallel
query ManyJobs {
  modelInvocationJobsByIdentifier(jobIdentifiers: [${many}]) {
    jobId
    jobName
    status
  }
}

# When a job started, its pace, when it should finish
# (all observed by the gateway: Bedrock reports no
# start time) and the statuses it went through
query JobTiming {
  modelInvocationJob(jobIdentifier: ${one}) {
    jobId
    status
    progress
    startedAt
    throughput { recordsPerMinute windowSeconds }
    estimatedCompletionTime
    timeline { status at observed }
  }
}

# One job live: now, then at every change until it ends
subscription WatchJob {
  modelInvocationJobUpdated(jobIdentifier: ${one}) {
    jobId
    status
    processedRecordCount
    totalRecordCount
    progress
    throughput { recordsPerMinute }
    estimatedCompletionTime
  }
}

# Every status change of every job, new jobs included
subscription WatchAccount {
  modelInvocationJobsChanged {
    status
    previousStatus
    observedAt
    job { jobId jobName progress }
  }
}
`;
}
