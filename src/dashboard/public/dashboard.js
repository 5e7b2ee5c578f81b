// The live jobs dashboard's entry module: finds the page's elements, makes its parts and wires
// them together, then loads the table. No build step: the browser loads these files as native ES
// modules (serve.ts puts each file's content hash in the import URLs). The one dependency is the
// graphql-ws browser client, a classic script that runs before this module (window.graphqlWs).
import { createApiKeyPanel, writeApiKey } from './api-key.js';
import { createConnectionIndicator } from './connection-indicator.js';
import { bindFilterForm, readFiltersFromUrl, writeFiltersToUrl } from './filters.js';
import { createJobTable } from './job-table.js';
import { createLiveJobs } from './live-jobs.js';
import { createNotices } from './notices.js';
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
const table = createJobTable({
  table: byId('jobs'),
  caption: byId('jobs-caption'),
  body: byId('job-rows'),
  empty: byId('empty'),
  loadMore: byId('load-more'),
});
const filters = readFiltersFromUrl();
let client = connect();
const jobs = createLiveJobs({
  table,
  subscribe: (payload, sink) => client.subscribe(payload, sink),
  filters,
  notices,
  askForApiKey: apiKeyPanel.open,
});

function connect() {
  return createWsClient({
    onState: connection.show,
    // Changes made while the socket was down were not streamed: read the table afresh.
    onReconnected: () => void jobs.load(),
  });
}

function changeApiKey(value) {
  if (!writeApiKey(value)) notices.show('This browser does not allow storing the API key.', 'error');
  apiKeyPanel.render();
  // A new key means new permissions and a new connection_init: start over on a new socket.
  // load() first ends the old view's streams (so that none refills), then the old client goes.
  jobs.forgetPermissions();
  const previous = client;
  client = connect();
  void jobs.load();
  void previous.dispose();
}

bindFilterForm({ form: byId('filters'), status: byId('status-filter'), name: byId('name-filter') }, filters, (next) => {
  jobs.setFilters(next);
  writeFiltersToUrl(next);
  void jobs.load();
});
byId('load-more').addEventListener('click', () => void jobs.loadMore());
// Running jobs' durations tick; finished ones are fixed.
setInterval(table.tickDurations, 1000);
apiKeyPanel.render();
void jobs.load();
