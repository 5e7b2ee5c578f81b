// The query GraphiQL opens with: real job ids from the simulator, so "run" works on first start.

const PLACEHOLDER_ID = 'abcdef012345';

export function exampleQuery(jobIds: readonly string[]): string {
  const [first = PLACEHOLDER_ID, ...rest] = jobIds;
  const many = [first, ...rest].map((id) => JSON.stringify(id)).join(', ');
  return `# Bedrock batch inference jobs. Press ▶ to run; Ctrl+Space completes fields.
query Jobs {
  # One job, by ARN or 12-character id
  job: modelInvocationJob(jobIdentifier: ${JSON.stringify(first)}) {
    ...JobFields
    inputDataConfig { ... on ModelInvocationJobS3InputDataConfig { s3Uri } }
    outputDataConfig { ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }
  }
  # Many jobs in one request: one upstream call per distinct job, fetched concurrently
  jobs: modelInvocationJobsByIdentifier(jobIdentifiers: [${many}]) {
    ...JobFields
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
