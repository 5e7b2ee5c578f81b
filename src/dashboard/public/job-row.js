// One row of the jobs table: its elements, built once per job, and how the job's latest state is
// shown in them. The job's name links to its own view; a running job's rate and ETA show under its
// progress (job-pace.js). A failed stop's message goes in a line of its own under the row, across
// every column, so that it never squeezes the table; Bedrock's message about the job shows in
// full under its name (no tooltip to hover for).
import { withBreakPoints } from './break-points.js';
import { isUnavailable, OFFLINE_REASON, setUnavailable } from './button-availability.js';
import { createElement as element } from './create-element.js';
import { formatDuration, formatTime } from './format.js';
import { createPace } from './job-pace.js';
import { describeProgress, displayName, isStoppable, jobDuration, statusChipClass, statusLabel } from './jobs.js';
import { jobHref } from './routes.js';

/** A row for `job`, not yet rendered nor in the table; `onStop(row)` runs when its Stop button is pressed. */
export function createJobRow(job, { onStop }) {
  const tr = document.createElement('tr');
  tr.dataset.jobId = job.jobId;

  const nameCell = element('th', { scope: 'row', className: 'job' });
  const name = element('a', { className: 'job-name' });
  name.dataset.route = '';
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
  const paceLine = element('span', { className: 'pace' });
  progressCell.append(bar, progressText, paceLine);

  const submittedCell = element('td', { className: 'submitted' });
  const submitted = element('time');
  submittedCell.append(submitted);
  const duration = element('td', { className: 'duration' });

  const actions = element('td', { className: 'actions' });
  const stop = element('button', { type: 'button', className: 'stop', textContent: 'Stop' });
  actions.append(stop);

  tr.append(nameCell, model, statusCell, progressCell, submittedCell, duration, actions);
  // In the table only while there is an error to show, right under the row (renderRow).
  const errorRow = element('tr', { className: 'row-problem' });
  errorRow.dataset.errorFor = job.jobId;
  const error = element('p', { className: 'row-error', id: `row-error-${job.jobId}` });
  error.setAttribute('role', 'alert');
  errorRow.append(element('td', { colSpan: tr.cells.length }, [error]));
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
    pace: createPace(paceLine),
    submitted,
    duration,
    stop,
    errorRow,
    errorElement: error,
    /** The last failed stop's message, shown in the row until the status changes. */
    error: '',
    stopping: false,
    /** Ends the row's progress stream; null while it has none. */
    stopProgress: null,
    /** The progress stream failed for good (e.g. NOT_FOUND): don't retry it. */
    progressFailed: false,
  };
  stop.addEventListener('click', () => {
    if (!isUnavailable(stop)) void onStop(row);
  });
  return row;
}

/**
 * `matchesFilter`: whether the job still matches the filters; `canStop`: whether this key may stop
 * jobs; `online`: whether the live connection is up (a stop's effect arrives over it).
 */
export function renderRow(row, { matchesFilter, canStop, online }) {
  const { job } = row;
  // Before the button may go: the keyboard then stays on the row instead of falling to <body>.
  const stopHadFocus = document.activeElement === row.stop;
  row.tr.dataset.status = job.status ?? '';
  row.tr.classList.toggle('is-outside-filter', !matchesFilter);
  row.tr.title = matchesFilter ? '' : 'No longer matches the filter';

  row.name.textContent = displayName(job);
  row.name.href = jobHref(job.jobId);
  row.id.textContent = job.jobId;
  row.message.textContent = job.message ?? '';
  row.message.hidden = !job.message;
  if (row.model.dataset.modelId !== job.modelId) {
    row.model.dataset.modelId = job.modelId;
    row.model.replaceChildren(...withBreakPoints(job.modelId));
  }
  row.chip.textContent = statusLabel(job.status) ?? 'Unknown';
  row.chip.className = statusChipClass(job.status);
  renderProgress(row);
  row.pace.render(job);

  const submitted = new Date(job.submitTime);
  row.submitted.dateTime = job.submitTime;
  row.submitted.textContent = formatTime(submitted);
  row.submitted.title = submitted.toISOString();
  tickRow(row);

  row.stop.hidden = !(isStoppable(job) && canStop);
  setUnavailable(row.stop, row.stopping || !online, row.stopping ? '' : OFFLINE_REASON);
  row.stop.textContent = row.stopping ? 'Stopping…' : 'Stop';
  row.stop.setAttribute('aria-label', `Stop ${displayName(job)}`);
  renderError(row);
  if (stopHadFocus && row.stop.hidden) row.name.focus({ preventScroll: true });
}

/** The row's error line, under the row while there is an error. */
function renderError(row) {
  row.errorElement.textContent = row.error;
  if (row.error) {
    row.stop.setAttribute('aria-describedby', row.errorElement.id);
    if (row.tr.nextElementSibling !== row.errorRow) row.tr.after(row.errorRow);
  } else {
    row.stop.removeAttribute('aria-describedby');
    row.errorRow.remove();
  }
  row.tr.classList.toggle('has-problem', Boolean(row.error));
}

/** Running jobs' durations and "in N min." tick (the table calls this every second); finished ones are fixed. */
export function tickRow(row) {
  row.duration.textContent = formatDuration(jobDuration(row.job));
  row.pace.tick();
}

function renderProgress(row) {
  const { percent, text } = describeProgress(row.job);
  row.bar.hidden = percent === null;
  if (percent !== null) {
    row.bar.value = percent;
    row.bar.setAttribute('aria-label', `Progress of ${displayName(row.job)}`);
  }
  row.progressText.textContent = text;
}
