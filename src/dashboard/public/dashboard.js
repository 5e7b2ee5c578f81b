// The live jobs dashboard. The table is filled by the `modelInvocationJobs` query and kept live by
// two kinds of graphql-ws subscriptions on one WebSocket:
// - `modelInvocationJobsChanged` (one, account-wide): status changes of any job, new jobs too;
// - `modelInvocationJobUpdated` for each IN_PROGRESS row: its record counts, for the progress bar.
// While an account-wide stream is open the gateway's poller reads list pages anyway, and those
// pages carry the running jobs' counts, so the per-job streams add no upstream calls beyond one
// lookup when each starts (none when another client already watches the job).
// No build step and no dependencies besides the graphql-ws browser client (window.graphqlWs).
(() => {
  'use strict';

  /** Jobs per list page. */
  const PAGE_SIZE = 50;
  /**
   * Most per-job progress streams at once. The gateway allows WS_MAX_SUBSCRIPTIONS_PER_CONNECTION
   * (default 100) operations per connection and one goes to the account-wide stream; when a lower
   * limit answers LIMIT_EXCEEDED, this page lowers its own cap to what the gateway accepted.
   */
  const MAX_PROGRESS_STREAMS = 90;
  const API_KEY_STORAGE = 'bedrock-jobs-dashboard:api-key';
  /** Status changes are announced to screen readers in batches, at most one message this often. */
  const ANNOUNCE_EVERY_MS = 2000;
  /** graphql-ws close codes after which reconnecting cannot help (bad request, auth, protocol). */
  const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406]);

  const STATUS_LABELS = {
    SUBMITTED: 'Submitted',
    VALIDATING: 'Validating',
    SCHEDULED: 'Scheduled',
    IN_PROGRESS: 'In progress',
    STOPPING: 'Stopping',
    COMPLETED: 'Completed',
    PARTIALLY_COMPLETED: 'Partially completed',
    FAILED: 'Failed',
    STOPPED: 'Stopped',
    EXPIRED: 'Expired',
  };
  const STOPPABLE = new Set(['SUBMITTED', 'VALIDATING', 'SCHEDULED', 'IN_PROGRESS']);

  const JOB_FIELDS = `jobId jobArn jobName modelId status isTerminal progress
    processedRecordCount totalRecordCount errorRecordCount
    submitTime endTime lastModifiedTime message`;
  const LIST_QUERY = `query DashboardJobs($filter: ModelInvocationJobFilter, $first: Int, $after: String) {
    modelInvocationJobs(filter: $filter, first: $first, after: $after, sortOrder: DESCENDING) {
      nodes { ${JOB_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  const CHANGES_SUBSCRIPTION = `subscription DashboardChanges($filter: ModelInvocationJobFilter) {
    modelInvocationJobsChanged(filter: $filter) { previousStatus job { ${JOB_FIELDS} } }
  }`;
  const PROGRESS_SUBSCRIPTION = `subscription DashboardProgress($jobIdentifier: String!) {
    modelInvocationJobUpdated(jobIdentifier: $jobIdentifier) { ${JOB_FIELDS} }
  }`;
  const STOP_MUTATION = `mutation DashboardStop($jobIdentifier: String!) {
    stopModelInvocationJob(jobIdentifier: $jobIdentifier) { ${JOB_FIELDS} }
  }`;

  const byId = (id) => document.getElementById(id);
  const ui = {
    connection: byId('connection'),
    connectionText: byId('connection-text'),
    filters: byId('filters'),
    statusFilter: byId('status-filter'),
    nameFilter: byId('name-filter'),
    apiKeyPanel: byId('api-key-panel'),
    apiKeyForm: byId('api-key-form'),
    apiKey: byId('api-key'),
    apiKeyState: byId('api-key-state'),
    apiKeyForget: byId('api-key-forget'),
    notice: byId('notice'),
    table: byId('jobs'),
    caption: byId('jobs-caption'),
    rows: byId('job-rows'),
    empty: byId('empty'),
    loadMore: byId('load-more'),
    announcer: byId('announcer'),
  };

  const httpEndpoint = new URL('graphql', location.href).href;
  const wsEndpoint = httpEndpoint.replace(/^http/, 'ws');
  const numberFormat = new Intl.NumberFormat();
  const timeFormat = new Intl.DateTimeFormat(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

  const state = {
    filters: readFiltersFromUrl(),
    /** Bumped by every (re)load; callbacks of an older view ignore themselves. */
    view: 0,
    /** jobId → row, for the rows in the table. */
    rows: new Map(),
    hasNextPage: false,
    endCursor: null,
    /** Account-wide events that arrived before the first page; applied after it. */
    pending: null,
    stopAccountStream: null,
    progressStreams: 0,
    progressCap: MAX_PROGRESS_STREAMS,
    /** False once a stop answered FORBIDDEN: the Stop buttons are hidden until the key changes. */
    canStop: true,
  };

  let client = createWsClient();

  // ---- GraphQL over HTTP -------------------------------------------------------------------

  class GatewayError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  async function graphql(query, variables) {
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    const apiKey = readApiKey();
    if (apiKey) headers['x-api-key'] = apiKey;
    let response;
    try {
      response = await fetch(httpEndpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    } catch {
      throw new GatewayError('NETWORK', 'The gateway cannot be reached.');
    }
    const body = await response.json().catch(() => undefined);
    if (!body || typeof body !== 'object') {
      throw new GatewayError(codeOfHttpStatus(response.status), `The gateway answered HTTP ${response.status}.`);
    }
    return body;
  }

  function codeOfHttpStatus(status) {
    return status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 429 ? 'THROTTLED' : 'HTTP_' + status;
  }

  /** The first GraphQL error of a result, as a GatewayError. */
  function firstError(errors) {
    const error = Array.isArray(errors) ? errors[0] : undefined;
    return new GatewayError(error?.extensions?.code ?? 'ERROR', error?.message ?? 'The gateway answered without data.');
  }

  /** What a subscription's error sink received (GraphQL errors, a close event, an Error) as a GatewayError. */
  function streamError(error) {
    if (Array.isArray(error)) return firstError(error);
    if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
      return new GatewayError(closeCodeName(error.code), error.reason || `The connection closed (${error.code}).`);
    }
    return new GatewayError('ERROR', error instanceof Error ? error.message : String(error));
  }

  function closeCodeName(code) {
    return code === 4401 ? 'UNAUTHENTICATED' : code === 4403 ? 'FORBIDDEN' : 'CLOSED_' + code;
  }

  // ---- graphql-ws ----------------------------------------------------------------------------

  function createWsClient() {
    return graphqlWs.createClient({
      url: wsEndpoint,
      // Keeps the socket while a reload swaps one set of subscriptions for another.
      lazyCloseTimeout: 5000,
      retryAttempts: Infinity,
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 15_000) + Math.random() * 1000)),
      shouldRetry: (event) => !(isCloseEvent(event) && FATAL_CLOSE_CODES.has(event.code)),
      connectionParams: () => {
        const apiKey = readApiKey();
        return apiKey ? { 'x-api-key': apiKey } : {};
      },
      on: {
        connecting: (isRetry) => setConnection(isRetry ? 'reconnecting' : 'connecting'),
        connected: (_socket, _payload, wasRetry) => {
          setConnection('live');
          // Changes made while the socket was down were not streamed: read the table afresh.
          if (wasRetry) void loadView();
        },
        closed: (event) => {
          if (isCloseEvent(event) && FATAL_CLOSE_CODES.has(event.code)) setConnection('offline', event.reason);
          else if (!isCloseEvent(event) || event.code !== 1000) setConnection('reconnecting');
        },
      },
    });
  }

  function isCloseEvent(value) {
    return Boolean(value) && typeof value === 'object' && 'code' in value && 'reason' in value;
  }

  function setConnection(connectionState, detail) {
    const text = {
      connecting: 'Connecting…',
      live: 'Live',
      reconnecting: 'Reconnecting…',
      offline: detail ? `Offline: ${detail}` : 'Offline',
    }[connectionState];
    ui.connection.dataset.state = connectionState;
    ui.connectionText.textContent = text;
  }

  // ---- loading the table -------------------------------------------------------------------

  async function loadView() {
    const view = ++state.view;
    stopStreams();
    state.rows.clear();
    ui.rows.replaceChildren();
    ui.table.setAttribute('aria-busy', 'true');
    ui.caption.textContent = 'Loading jobs…';
    ui.empty.hidden = true;
    ui.loadMore.hidden = true;
    if (state.canStop) hideNotice();
    else showStopForbidden();

    // Stream first, list second: a change that happens while the list loads is then not lost.
    state.pending = [];
    startAccountStream(view);
    try {
      const page = await fetchPage(null);
      if (view !== state.view) return;
      addPage(page);
      for (const event of state.pending) applyChange(event);
      state.pending = null;
    } catch (error) {
      if (view !== state.view) return;
      state.pending = null;
      showProblem(error, 'The jobs could not be loaded');
    } finally {
      if (view === state.view) {
        ui.table.setAttribute('aria-busy', 'false');
        updateCaption();
      }
    }
  }

  async function loadMore() {
    const view = state.view;
    ui.loadMore.disabled = true;
    try {
      const page = await fetchPage(state.endCursor);
      if (view === state.view) addPage(page);
    } catch (error) {
      if (view === state.view) showProblem(error, 'More jobs could not be loaded');
    } finally {
      ui.loadMore.disabled = false;
    }
  }

  async function fetchPage(after) {
    const result = await graphql(LIST_QUERY, { filter: serverFilter(true), first: PAGE_SIZE, after });
    const connection = result.data?.modelInvocationJobs;
    if (!connection) throw firstError(result.errors);
    return connection;
  }

  function addPage(connection) {
    for (const job of connection.nodes) {
      if (state.rows.has(job.jobId)) applyJob(job);
      else appendRow(job);
    }
    state.hasNextPage = connection.pageInfo.hasNextPage;
    state.endCursor = connection.pageInfo.endCursor;
    ui.loadMore.hidden = !state.hasNextPage;
    fillProgressSlots();
    updateCaption();
  }

  /** The query's filter; the account-wide stream gets no status filter, so it also sees rows leave it. */
  function serverFilter(withStatus) {
    const filter = {};
    if (withStatus && state.filters.status) filter.statusEquals = state.filters.status;
    if (state.filters.name) filter.nameContains = state.filters.name;
    return Object.keys(filter).length > 0 ? filter : null;
  }

  // ---- live updates --------------------------------------------------------------------------

  function startAccountStream(view) {
    state.stopAccountStream = client.subscribe(
      { query: CHANGES_SUBSCRIPTION, variables: { filter: serverFilter(false) } },
      {
        next: (result) => {
          if (view !== state.view) return;
          const change = result.data?.modelInvocationJobsChanged;
          if (!change) return showProblem(firstError(result.errors), 'Live updates failed');
          if (state.pending) state.pending.push(change);
          else applyChange(change);
        },
        error: (error) => {
          if (view === state.view) showProblem(streamError(error), 'Live updates stopped');
        },
        complete: () => undefined,
      },
    );
  }

  function applyChange({ job, previousStatus }) {
    const isNew = previousStatus === null && !state.rows.has(job.jobId);
    const row = applyJob(job);
    if (row && isNew) announce(`New job ${displayName(job)}, ${STATUS_LABELS[job.status] ?? job.status}`);
  }

  /** Puts a job's latest state into the table; returns its row, if it has (or gets) one. */
  function applyJob(job) {
    const row = state.rows.get(job.jobId);
    if (row) {
      if (isOlder(job, row.job)) return row;
      const previousStatus = row.job.status;
      row.job = job;
      if (previousStatus !== job.status) {
        row.error = '';
        announce(`${displayName(job)}: ${STATUS_LABELS[job.status] ?? job.status}`);
      }
      renderRow(row);
      syncProgressStream(row);
      updateCaption();
      return row;
    }
    // A job the table does not show yet: a new one, or one that now matches the filter.
    if (!matchesFilters(job) || !isWithinLoadedRange(job)) return undefined;
    const created = insertRow(job);
    syncProgressStream(created);
    updateCaption();
    return created;
  }

  /** Only IN_PROGRESS jobs change their record counts; status changes come from the account stream. */
  function syncProgressStream(row) {
    const wanted = row.job.status === 'IN_PROGRESS' && !row.progressFailed;
    if (wanted && !row.stopProgress && state.progressStreams < state.progressCap) startProgressStream(row);
    else if (!wanted && row.stopProgress) row.stopProgress();
  }

  function startProgressStream(row) {
    const view = state.view;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      state.progressStreams -= 1;
      row.stopProgress = null;
      if (view === state.view) fillProgressSlots();
    };
    state.progressStreams += 1;
    const unsubscribe = client.subscribe(
      { query: PROGRESS_SUBSCRIPTION, variables: { jobIdentifier: row.job.jobArn } },
      {
        next: (result) => {
          const job = result.data?.modelInvocationJobUpdated;
          if (job && view === state.view) applyJob(job);
        },
        error: (error) => {
          const problem = streamError(error);
          if (problem.code === 'LIMIT_EXCEEDED') {
            // The gateway allows fewer operations than we assumed: stay at what it accepted.
            state.progressCap = Math.max(0, state.progressStreams - 1);
          } else {
            row.progressFailed = true;
          }
          release();
        },
        complete: release,
      },
    );
    row.stopProgress = () => {
      unsubscribe();
      release();
    };
  }

  /** Starts progress streams for running rows that wait for a free slot, top of the table first. */
  function fillProgressSlots() {
    for (const row of rowsInTableOrder()) {
      if (state.progressStreams >= state.progressCap) return;
      syncProgressStream(row);
    }
  }

  function stopStreams() {
    state.stopAccountStream?.();
    state.stopAccountStream = null;
    for (const row of state.rows.values()) row.stopProgress?.();
  }

  // ---- rows ----------------------------------------------------------------------------------

  function rowsInTableOrder() {
    return [...ui.rows.children].map((tr) => state.rows.get(tr.dataset.jobId)).filter(Boolean);
  }

  function appendRow(job) {
    const row = createRow(job);
    ui.rows.append(row.tr);
    return row;
  }

  /** Inserts at the job's place in newest-first order. */
  function insertRow(job) {
    const before = rowsInTableOrder().find((other) => compareNewestFirst(job, other.job) < 0);
    const row = createRow(job);
    ui.rows.insertBefore(row.tr, before?.tr ?? null);
    return row;
  }

  function createRow(job) {
    const tr = document.createElement('tr');
    tr.dataset.jobId = job.jobId;

    const nameCell = element('th', { scope: 'row', className: 'job' });
    const name = element('span', { className: 'job-name' });
    const id = element('span', { className: 'job-id' });
    const message = element('span', { className: 'job-message' });
    nameCell.append(name, id, message);

    const model = element('td', { className: 'model' });
    const statusCell = element('td');
    const chip = element('span', { className: 'chip' });
    statusCell.append(chip);

    const progressCell = element('td', { className: 'progress' });
    const bar = element('progress', { max: 100 });
    const progressText = element('span', { className: 'progress-text' });
    progressCell.append(bar, progressText);

    const submittedCell = element('td', { className: 'submitted' });
    const submitted = element('time');
    submittedCell.append(submitted);
    const duration = element('td', { className: 'duration' });

    const actions = element('td', { className: 'actions' });
    const stop = element('button', { type: 'button', className: 'stop', textContent: 'Stop' });
    const error = element('p', { className: 'row-error' });
    error.setAttribute('role', 'alert');
    actions.append(stop, error);

    tr.append(nameCell, model, statusCell, progressCell, submittedCell, duration, actions);
    const row = {
      job,
      tr,
      name,
      id,
      message,
      model,
      chip,
      bar,
      progressText,
      submitted,
      duration,
      stop,
      errorElement: error,
      /** The last failed stop's message, shown in the row until the status changes. */
      error: '',
      stopping: false,
      /** Ends the row's progress stream; null while it has none. */
      stopProgress: null,
      /** The progress stream failed for good (e.g. NOT_FOUND): don't retry it. */
      progressFailed: false,
    };
    stop.addEventListener('click', () => void stopJob(row));
    state.rows.set(job.jobId, row);
    renderRow(row);
    return row;
  }

  function renderRow(row) {
    const { job } = row;
    const label = STATUS_LABELS[job.status] ?? job.status ?? 'Unknown';
    row.tr.dataset.status = job.status ?? '';
    row.tr.classList.toggle('is-outside-filter', !matchesFilters(job));
    row.tr.title = matchesFilters(job) ? '' : 'No longer matches the filter';

    row.name.textContent = displayName(job);
    row.id.textContent = job.jobId;
    row.message.textContent = job.message ?? '';
    row.message.title = job.message ?? '';
    row.message.hidden = !job.message;
    row.model.textContent = job.modelId;
    row.chip.textContent = label;
    row.chip.className = `chip chip-${(job.status ?? 'unknown').toLowerCase().replace(/_/g, '-')}`;

    if (job.progress !== null && job.progress !== undefined) {
      const percent = Math.floor(job.progress * 100);
      row.bar.hidden = false;
      row.bar.value = percent;
      row.bar.setAttribute('aria-label', `Progress of ${displayName(job)}`);
      const failed = job.errorRecordCount ? ` · ${numberFormat.format(job.errorRecordCount)} failed` : '';
      row.progressText.textContent = `${percent}% · ${numberFormat.format(job.processedRecordCount)} / ${numberFormat.format(job.totalRecordCount)}${failed}`;
    } else {
      row.bar.hidden = true;
      row.progressText.textContent = job.totalRecordCount ? `${numberFormat.format(job.totalRecordCount)} records` : '—';
    }

    const submitted = new Date(job.submitTime);
    row.submitted.dateTime = job.submitTime;
    row.submitted.textContent = timeFormat.format(submitted);
    row.submitted.title = submitted.toISOString();
    renderDuration(row);

    const stoppable = STOPPABLE.has(job.status) && state.canStop;
    row.stop.hidden = !stoppable;
    row.stop.disabled = row.stopping;
    row.stop.textContent = row.stopping ? 'Stopping…' : 'Stop';
    row.stop.setAttribute('aria-label', `Stop ${displayName(job)}`);
    row.errorElement.textContent = row.error;
    row.errorElement.hidden = !row.error;
  }

  function renderDuration(row) {
    const { job } = row;
    const start = Date.parse(job.submitTime);
    const end = job.isTerminal ? Date.parse(job.endTime ?? job.lastModifiedTime ?? job.submitTime) : Date.now();
    row.duration.textContent = formatDuration(end - start);
  }

  // Running jobs' durations tick; finished ones are fixed.
  setInterval(() => {
    for (const row of state.rows.values()) if (!row.job.isTerminal) renderDuration(row);
  }, 1000);

  // ---- stopping ------------------------------------------------------------------------------

  async function stopJob(row) {
    const name = displayName(row.job);
    if (!confirm(`Stop the job “${name}”? A stopped job cannot be resumed.`)) return;
    row.stopping = true;
    row.error = '';
    renderRow(row);
    try {
      const result = await graphql(STOP_MUTATION, { jobIdentifier: row.job.jobArn });
      const job = result.data?.stopModelInvocationJob;
      if (!job) throw firstError(result.errors);
      applyJob(job);
    } catch (error) {
      const code = error instanceof GatewayError ? error.code : 'ERROR';
      row.error = `Could not stop (${code}): ${error.message}`;
      if (code === 'FORBIDDEN') {
        state.canStop = false;
        showStopForbidden();
      } else if (code === 'UNAUTHENTICATED') {
        askForApiKey();
      }
    } finally {
      row.stopping = false;
      for (const each of state.rows.values()) renderRow(each);
    }
  }

  // ---- API key -------------------------------------------------------------------------------

  function readApiKey() {
    try {
      return localStorage.getItem(API_KEY_STORAGE) ?? '';
    } catch {
      return '';
    }
  }

  function writeApiKey(value) {
    try {
      if (value) localStorage.setItem(API_KEY_STORAGE, value);
      else localStorage.removeItem(API_KEY_STORAGE);
    } catch {
      showNotice('This browser does not allow storing the API key.', 'error');
    }
    renderApiKeyState();
    // A new key means new permissions and a new connection_init: start over on a new socket.
    // loadView() first ends the old view's streams (so that none refills), then the old client goes.
    state.canStop = true;
    state.progressCap = MAX_PROGRESS_STREAMS;
    const previous = client;
    client = createWsClient();
    void loadView();
    void previous.dispose();
  }

  function renderApiKeyState() {
    const apiKey = readApiKey();
    ui.apiKeyState.textContent = apiKey ? 'set' : 'none';
    ui.apiKey.value = apiKey;
  }

  function askForApiKey() {
    ui.apiKeyPanel.open = true;
    ui.apiKey.focus();
  }

  // ---- notices and announcements -------------------------------------------------------------

  function showProblem(error, what) {
    const code = error instanceof GatewayError ? error.code : 'ERROR';
    const hint =
      code === 'UNAUTHENTICATED'
        ? ' This gateway needs an API key: enter one under “API key”.'
        : code === 'FORBIDDEN'
          ? ' This API key is not allowed to read jobs (it needs jobs:read).'
          : '';
    showNotice(`${what} (${code}): ${error.message}${hint}`, 'error');
    if (code === 'UNAUTHENTICATED') askForApiKey();
  }

  function showStopForbidden() {
    showNotice('Stopping jobs is not allowed for this API key (FORBIDDEN), so the Stop buttons are hidden.', 'info');
  }

  function showNotice(text, kind) {
    ui.notice.textContent = text;
    ui.notice.dataset.kind = kind;
    ui.notice.hidden = false;
  }

  function hideNotice() {
    ui.notice.hidden = true;
    ui.notice.textContent = '';
  }

  let announcements = [];
  let announceTimer;

  /** Screen readers hear status changes batched, so a busy account does not talk non-stop. */
  function announce(text) {
    announcements.push(text);
    announceTimer ??= setTimeout(() => {
      announceTimer = undefined;
      const latest = announcements.slice(-3);
      const more = announcements.length - latest.length;
      announcements = [];
      ui.announcer.textContent = latest.join('. ') + (more > 0 ? `. ${more} more changes.` : '.');
    }, ANNOUNCE_EVERY_MS);
  }

  function updateCaption() {
    const shown = state.rows.size;
    const unfinished = [...state.rows.values()].filter((row) => !row.job.isTerminal).length;
    const filter = [
      state.filters.status && `status ${STATUS_LABELS[state.filters.status]}`,
      state.filters.name && `name contains “${state.filters.name}”`,
    ].filter(Boolean);
    ui.caption.textContent =
      `${shown} ${shown === 1 ? 'job' : 'jobs'}${state.hasNextPage ? ' (more below)' : ''}, newest first` +
      (filter.length ? `, ${filter.join(', ')}` : '') +
      ` · ${unfinished} unfinished`;
    ui.empty.hidden = shown > 0 || ui.table.getAttribute('aria-busy') === 'true';
  }

  // ---- filters -------------------------------------------------------------------------------

  function readFiltersFromUrl() {
    const params = new URLSearchParams(location.search);
    const status = params.get('status') ?? '';
    return { status: status in STATUS_LABELS ? status : '', name: params.get('name') ?? '' };
  }

  function applyFilters() {
    state.filters = { status: ui.statusFilter.value, name: ui.nameFilter.value.trim() };
    const params = new URLSearchParams();
    if (state.filters.status) params.set('status', state.filters.status);
    if (state.filters.name) params.set('name', state.filters.name);
    const query = params.toString();
    history.replaceState(null, '', query ? `?${query}` : location.pathname);
    void loadView();
  }

  function matchesFilters(job) {
    return (
      (!state.filters.status || job.status === state.filters.status) &&
      (!state.filters.name || (job.jobName ?? '').includes(state.filters.name))
    );
  }

  /** Whether a job not in the table sorts among the loaded pages (not below a page yet to load). */
  function isWithinLoadedRange(job) {
    if (!state.hasNextPage) return true;
    const oldest = rowsInTableOrder().at(-1);
    return !oldest || compareNewestFirst(job, oldest.job) <= 0;
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Negative when `a` comes first in newest-first order (by submit time, then id, like the list). */
  function compareNewestFirst(a, b) {
    const byTime = Date.parse(b.submitTime) - Date.parse(a.submitTime);
    return byTime !== 0 ? byTime : a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0;
  }

  /** Streams and mutation answers can cross: never let an older state overwrite a newer one. */
  function isOlder(job, than) {
    return Date.parse(job.lastModifiedTime) < Date.parse(than.lastModifiedTime);
  }

  function displayName(job) {
    return job.jobName || job.jobId;
  }

  function formatDuration(ms) {
    const seconds = Math.max(0, Math.floor(ms / 1000));
    const pad = (n) => String(n).padStart(2, '0');
    if (seconds < 60) return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
    return `${Math.floor(hours / 24)}d ${hours % 24}h`;
  }

  function element(tag, properties = {}) {
    return Object.assign(document.createElement(tag), properties);
  }

  // ---- start ---------------------------------------------------------------------------------

  ui.statusFilter.value = state.filters.status;
  ui.nameFilter.value = state.filters.name;
  ui.statusFilter.addEventListener('change', applyFilters);
  let nameTimer;
  ui.nameFilter.addEventListener('input', () => {
    clearTimeout(nameTimer);
    nameTimer = setTimeout(applyFilters, 300);
  });
  ui.filters.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(nameTimer);
    applyFilters();
  });
  ui.apiKeyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    writeApiKey(ui.apiKey.value.trim());
  });
  ui.apiKeyForget.addEventListener('click', () => writeApiKey(''));
  ui.loadMore.addEventListener('click', () => void loadMore());
  renderApiKeyState();
  void loadView();
})();
