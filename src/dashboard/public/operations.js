// The GraphQL documents the page sends: the list query, the two subscriptions and the stop
// mutation, all selecting the same job fields so that any answer can replace a row's job.
const JOB_FIELDS = `jobId jobArn jobName modelId status isTerminal progress
  processedRecordCount totalRecordCount errorRecordCount
  submitTime endTime lastModifiedTime message`;

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
