// The query GraphiQL opens with: real job ids from the simulator, so "run" works on first start.

const PLACEHOLDER_ID = 'abcdef012345';

export function exampleQuery(jobIds: readonly string[]): string {
  const first = jobIds[0] ?? PLACEHOLDER_ID;
  const many = (jobIds.length > 0 ? jobIds : [PLACEHOLDER_ID]).map((id) => JSON.stringify(id)).join(', ');
  return `# Bedrock batch inference jobs. Press ▶ to run; Ctrl+Space completes fields.
# Try the subscription below too: pick it with the ▶ menu and watch the status move.

query Jobs {
  # The newest jobs, one ListModelInvocationJobs call per page
  recent: modelInvocationJobs(first: 5) {
    nodes { ...JobFields }
    pageInfo { hasNextPage endCursor }
  }
  # One job, by ARN or 12-character id
  job: modelInvocationJob(jobIdentifier: ${JSON.stringify(first)}) {
    ...JobFields
    inputDataConfig { ... on ModelInvocationJobS3InputDataConfig { s3Uri } }
    outputDataConfig { ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }
  }
  # Many jobs in one request: one upstream call per distinct job, fetched concurrently
  jobs: modelInvocationJobsByIdentifier(jobIdentifiers: [${many}]) {
    jobId
    status
  }
}

subscription Watch {
  modelInvocationJobsChanged {
    status
    previousStatus
    observedAt
    job { jobId jobName progress }
  }
}

fragment JobFields on ModelInvocationJob {
  jobId
  jobName
  modelId
  status
  progress
  processedRecordCount
  totalRecordCount
  submitTime
  endTime
  message
}
`;
}
