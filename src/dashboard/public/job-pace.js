// A running job's pace, which Bedrock does not report and the gateway measures from its own
// observations: `≈ 1,234 records/min · done ≈ 2:32 PM (in 12 min.)`. Nothing at all until the
// gateway has a rate (two observations of the job running), and nothing once it is not running.
// "In 12 min." is counted on the browser's clock: from each event, then on the page's tick.
import { createElement } from './create-element.js';
import { formatClock, formatDateTime, formatDuration, formatFromNow, formatRate } from './format.js';

/** No-break space: a narrow card wraps between the phrases, never inside "≈ 1,234 records/min". */
const NBSP = '\u00a0';

/** `≈ 1,234 records/min`; a rate of 0 says for how long nothing moved. */
export function describeRate({ recordsPerMinute, windowSeconds }) {
  return recordsPerMinute > 0
    ? `≈${NBSP}${formatRate(recordsPerMinute)}${NBSP}records/min`
    : `no new records in ${formatDuration(windowSeconds * 1000)}`;
}

/** The rate and estimated completion of `job` to show, or nulls when there is none. */
export function paceOf(job) {
  const running = job.status === 'IN_PROGRESS';
  return {
    throughput: running ? (job.throughput ?? null) : null,
    completion: running && job.estimatedCompletionTime ? new Date(job.estimatedCompletionTime) : null,
  };
}

/**
 * Shows the pace of a job in `root` (a row's line, or the line under a job's progress bar); its
 * elements are made once, so that a tooltip or a screen reader's place survives the updates.
 */
export function createPace(root) {
  const rate = createElement('span', { className: 'pace-rate' });
  const separator = createElement('span', { className: 'pace-separator', textContent: ' · ' });
  const clock = createElement('time');
  const fromNow = document.createTextNode('');
  const eta = createElement('span', { className: 'pace-eta' }, [`done${NBSP}≈${NBSP}`, clock, ' (', fromNow, ')']);
  root.replaceChildren(rate, separator, eta);
  root.hidden = true;
  /** The estimated completion on show, null when none. */
  let completion = null;

  function tick(now = Date.now()) {
    if (!completion) return;
    clock.textContent = formatClock(completion, now);
    fromNow.data = formatFromNow(completion, now);
  }

  return {
    render(job, now = Date.now()) {
      const pace = paceOf(job);
      completion = pace.completion;
      root.hidden = !pace.throughput;
      if (!pace.throughput) return;
      rate.textContent = describeRate(pace.throughput);
      rate.title = `Measured by the gateway over the last ${formatDuration(pace.throughput.windowSeconds * 1000)}`;
      separator.hidden = eta.hidden = !completion;
      if (!completion) return;
      clock.dateTime = completion.toISOString();
      clock.title = `At this rate, done at ${formatDateTime(completion)}`;
      tick(now);
    },
    /** Counts "in N min." again on the browser's clock (the page calls this every second). */
    tick,
  };
}
