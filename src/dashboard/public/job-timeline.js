// "Timeline" in a job's view: the statuses the job went through, oldest first, each with when the
// gateway first saw it and how long after the one before. For a job the gateway saw late, the
// entries it did not see happen carry Bedrock's own submit or end time, and say so in words
// (not only by the hollow dot), with a note under the list that explains it.
import { createElement } from './create-element.js';
import { time } from './field-list.js';
import { formatDuration } from './format.js';
import { statusLabel } from './jobs.js';

const REPORTED = '(reported by Bedrock)';

export function createJobTimeline({ list, note }) {
  /** What the list shows now: every progress event carries the timeline, and most change nothing. */
  let shown = '';

  return {
    render(timeline) {
      const entries = timeline ?? [];
      const key = JSON.stringify(entries);
      if (key === shown) return;
      shown = key;
      list.replaceChildren(...entries.map((entry, i) => item(entry, entries[i - 1])));
      note.hidden = entries.every((entry) => entry.observed);
    },
    reset() {
      shown = '';
      list.replaceChildren();
      note.hidden = true;
    },
  };
}

function item(entry, previous) {
  const li = createElement('li', { className: entry.observed ? 'timeline-entry' : 'timeline-entry is-reported' }, [
    createElement('span', { className: 'timeline-status', textContent: statusLabel(entry.status) }),
    ' ',
    time(entry.at),
  ]);
  if (previous) {
    const after = formatDuration(Date.parse(entry.at) - Date.parse(previous.at));
    li.append(' ', createElement('span', { className: 'timeline-after', textContent: `${after} later` }));
  }
  if (!entry.observed) li.append(' ', createElement('span', { className: 'timeline-reported', textContent: REPORTED }));
  return li;
}
