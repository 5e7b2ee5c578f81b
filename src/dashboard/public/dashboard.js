// The live jobs dashboard's entry module: finds the page's elements, makes its parts and wires
// them together, then shows the view the URL names: the jobs table, or one job (routes.js). No
// build step: the browser loads these files as native ES modules (serve.ts puts each file's content
// hash in the import URLs). The one dependency is the graphql-ws browser client, a classic script
// that runs before this module (window.graphqlWs).
import { createApiKeyPanel, writeApiKey } from './api-key.js';
import { createCapabilities } from './capabilities.js';
import { createConnectionIndicator } from './connection-indicator.js';
import { bindFilterForm, readFiltersFromUrl, sameFilters, showFiltersInForm, writeFiltersToUrl } from './filters.js';
import { createJobTable } from './job-table.js';
import { createJobView } from './job-view.js';
import { createLiveJobs } from './live-jobs.js';
import { createNotices } from './notices.js';
import { bindRoutes, listHref, readRoute } from './routes.js';
import { createViewer } from './viewer.js';
import { createWsClient } from './ws-client.js';

const byId = (id) => document.getElementById(id);

const connection = createConnectionIndicator({ element: byId('connection'), text: byId('connection-text') });
const apiKeyPanel = createApiKeyPanel(
  {
    panel: byId('api-key-panel'),
    form: byId('api-key-form'),
    input: byId('api-key'),
    state: byId('api-key-state'),
    forget: byId('api-key-forget'),
  },
  { onSave: changeApiKey },
);
const notices = createNotices(
  { notice: byId('notice'), announcer: byId('announcer') },
  { askForApiKey: apiKeyPanel.open },
);
const viewer = createViewer(byId('viewer'));
const table = createJobTable(
  {
    heading: byId('list-heading'),
    table: byId('jobs'),
    caption: byId('jobs-caption'),
    body: byId('job-rows'),
    empty: byId('empty'),
    failure: byId('load-failure'),
    failureText: byId('load-failure-text'),
    retry: byId('load-retry'),
    loadMore: byId('load-more'),
    moreError: byId('load-more-error'),
  },
  { onRetry: () => void jobs.load(), onLoadMore: () => void jobs.loadMore() },
);
const filterFields = { form: byId('filters'), status: byId('status-filter'), name: byId('name-filter') };
let filters = readFiltersFromUrl();
/** The view on show ('list' or 'job') and what is wrong with each, for the connection line. */
let shownView = readRoute().view;
const problems = { list: null, job: null };
let client = connect();
const subscribe = (payload, sink) => client.subscribe(payload, sink);
const jobs = createLiveJobs({
  table,
  subscribe,
  filters,
  notices,
  viewer,
  askForApiKey: apiKeyPanel.open,
  onProblem: (text) => reportProblem('list', text),
});
const capabilities = createCapabilities();
const jobView = createJobView(
  {
    root: byId('job-view'),
    title: byId('job-title'),
    error: byId('job-error'),
    body: byId('job-body'),
    liveError: byId('job-live-error'),
    announcer: byId('job-announcer'),
    details: {
      title: byId('job-title'),
      status: byId('job-status'),
      message: byId('job-message'),
      bar: byId('job-progress-bar'),
      progressText: byId('job-progress-text'),
      pace: byId('job-pace'),
      fields: byId('job-fields'),
    },
    timeline: { list: byId('job-timeline'), note: byId('timeline-note') },
    results: {
      state: byId('results-state'),
      error: byId('results-error'),
      fields: byId('results-fields'),
      filesBlock: byId('files-block'),
      filesNote: byId('files-note'),
      filesError: byId('files-error'),
      files: byId('output-files'),
    },
    failed: {
      panel: byId('failed-panel'),
      table: byId('failed-records'),
      caption: byId('failed-caption'),
      body: byId('failed-rows'),
      empty: byId('failed-empty'),
      error: byId('failed-error'),
      more: byId('failed-more'),
    },
    retry: {
      form: byId('retry-form'),
      help: byId('retry-help'),
      name: byId('retry-name'),
      submit: byId('retry-submit'),
      note: byId('retry-note'),
      result: byId('retry-result'),
      error: byId('retry-error'),
    },
  },
  { subscribe, capabilities, viewer, askForApiKey: apiKeyPanel.open, onProblem: (text) => reportProblem('job', text) },
);

/** The list is read the first time it is shown, then kept live behind a job's view. */
let listLoaded = false;
let listScrollY = 0;
/** The job whose view was shown last: its row gets the focus back in the list. */
let lastJobId = null;

function connect() {
  const created = createWsClient({
    // A replaced client (a new API key) may still report its closing: only the current one counts.
    onState: (state, detail) => {
      if (client === created) showConnection(state, detail);
    },
    // Changes made while the socket was down were not streamed: read the views afresh.
    onReconnected: () => {
      if (client !== created) return;
      if (listLoaded) void jobs.load();
      void jobView.refresh();
    },
  });
  return created;
}

/**
 * The connection line, and the actions that wait for a live connection: Stop, the Load more
 * buttons, Retry failed records. Not the list's Retry, which reads the list over HTTP.
 */
function showConnection(state, detail) {
  connection.show(state, detail);
  const online = state === 'live' || state === 'idle';
  jobs.setOnline(online);
  jobView.setOnline(online);
}

function reportProblem(view, text) {
  problems[view] = text;
  if (view === shownView) connection.setProblem(text);
}

function changeApiKey(value) {
  if (!writeApiKey(value)) notices.show('This browser does not allow storing the API key.', 'error');
  apiKeyPanel.render();
  // A new key means new permissions and a new connection_init: start over on a new socket. The
  // views first end their old streams (so that none refills), then the old client goes.
  jobs.forgetPermissions();
  viewer.forget();
  capabilities.forget();
  jobView.forgetPermissions();
  const previous = client;
  client = connect();
  // Until the new socket reports: the views' subscriptions (if any) open it at once.
  showConnection('idle');
  if (listLoaded) void jobs.load();
  void jobView.refresh();
  void previous.dispose();
}

function showListFilters(next) {
  filters = next;
  jobs.setFilters(next);
  showFiltersInForm(filterFields, next);
}

/** Shows the view `route` names; `initial` on page load, when focus and scroll are the browser's. */
function showRoute(route, { initial = false } = {}) {
  const list = byId('list-view');
  const job = byId('job-view');
  shownView = route.view;
  connection.setProblem(problems[route.view]);
  if (route.view === 'job') {
    if (!list.hidden) listScrollY = scrollY;
    list.hidden = true;
    filterFields.form.hidden = true;
    job.hidden = false;
    lastJobId = route.jobId;
    byId('back-to-list').href = listHref();
    // The socket opens with the first subscription: a finished job's view needs none.
    if (initial) showConnection('idle');
    const shown = jobView.open(route.jobId);
    if (initial) return;
    scrollTo(0, 0);
    // Screen readers start at the job's name, once there is one to read.
    void shown.then(() => {
      if (readRoute().jobId === route.jobId) byId('job-title').focus();
    });
    return;
  }

  jobView.close();
  job.hidden = true;
  list.hidden = false;
  filterFields.form.hidden = false;
  const wanted = readFiltersFromUrl();
  if (!listLoaded || !sameFilters(wanted, filters)) {
    showListFilters(wanted);
    listLoaded = true;
    void jobs.load();
  } else {
    scrollTo(0, listScrollY);
  }
  if (initial) return;
  const row = lastJobId && table.rows.get(lastJobId);
  (row ? row.name : byId('list-heading')).focus({ preventScroll: Boolean(row) });
}

// Back and Forward move between the list and jobs' views without reloading; this page puts the
// list's scroll position back itself, since the list is hidden while the browser would.
history.scrollRestoration = 'manual';
bindRoutes((route) => showRoute(route));
bindFilterForm(filterFields, filters, (next) => {
  filters = next;
  jobs.setFilters(next);
  writeFiltersToUrl(next);
  void jobs.load();
});
byId('failed-more').addEventListener('click', () => void jobView.loadMoreFailedRecords());
// Running jobs' durations and "done in N min." tick; finished ones are fixed. One timer for the page.
setInterval(() => {
  table.rows.tick();
  jobView.tick();
}, 1000);
apiKeyPanel.render();
// Who the key is, beside the key's control, whichever view comes first.
void viewer.read();
showRoute(readRoute(), { initial: true });
