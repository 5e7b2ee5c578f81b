// GraphiQL at /graphql in a browser: served from the installed package (not a CDN, so it works
// offline and under a strict CSP), opening on an example with real job ids from the simulator, so
// "run" works on first start.
import type { GraphiQLOptions } from 'graphql-yoga';
import { CSRF_HEADER } from '../plugins/csrf-plugin.ts';

const PLACEHOLDER_ID = 'abcdef012345';

/**
 * Yoga's `graphiql` option and its renderer. The renderer's module (half a second to load, the
 * whole GraphiQL bundle) is imported on the first page request, or by `preload()`, never at
 * start-up.
 */
export function createGraphiQL(exampleJobIds: readonly string[]) {
  let renderer: Promise<(options?: GraphiQLOptions) => string> | undefined;
  const load = () => (renderer ??= import('@graphql-yoga/render-graphiql').then((module) => module.renderGraphiQL));
  const options: GraphiQLOptions = {
    title: 'Bedrock jobs gateway',
    defaultQuery: exampleQuery(exampleJobIds),
    // SSE, not WS: GraphiQL sends its Headers tab with HTTP requests only (its graphql-ws
    // client's connection_init is empty), so with auth on, subscriptions over WS would be refused.
    subscriptionsProtocol: 'SSE',
    // Its SSE subscriptions are GETs: they need the CSRF header like any other GET.
    additionalHeaders: { [CSRF_HEADER]: '1' },
  };
  return {
    options,
    renderGraphiQL: async (renderOptions?: GraphiQLOptions) => (await load())(renderOptions),
    /** Loads the renderer now, in the background (after start-up), so the first page does not wait. */
    preload: () => void load().catch(() => undefined),
  };
}

function exampleQuery(jobIds: readonly string[]): string {
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
